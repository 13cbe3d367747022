use std::fmt;

use lambda_http::http;
use serde_json::json;
use webhook_verify::VerifyError;

use crate::{Body, Response, json_response};

/// Why a request was not handled. Each variant has one HTTP status, chosen here only.
#[derive(Debug)]
pub enum WebhookError {
    /// 401 (or 500 when no secret is configured).
    Unverified(VerifyError),
    /// 403: authentic, but from a sender this deployment does not serve (another
    /// organisation).
    Forbidden(String),
    /// 413: refused before verification, so no time is spent hashing it.
    PayloadTooLarge { size: usize, limit: usize },
    /// 400: the signature is valid but the body is not what the platform documents.
    MalformedBody(String),
    /// 422: a well-formed delivery of an event this function does not handle.
    WrongEvent(String),
    /// 409: a delivery reuses the idempotency key of an earlier one whose body differs;
    /// nothing was run.
    IdempotencyKeyReused(String),
    /// 429: an earlier delivery with the same idempotency key is still being handled. Not
    /// 409, because Rossum retries only 408, 429, 500, 502, 503 and 504
    /// ([`crate::rossum::RETRIED_STATUSES`]).
    InProgress { retry_after_secs: u64 },
    /// 503: a dependency (the master data, the records table) is down; the sender should
    /// retry the delivery (Rossum and contract.fit do; Inkit documents no redelivery), and
    /// nothing of it was stored.
    Unavailable(String),
    /// 500: our fault; the detail is logged, not sent.
    Internal(String),
}

impl WebhookError {
    pub fn status(&self) -> u16 {
        match self {
            WebhookError::Unverified(e) => e.http_status(),
            WebhookError::Forbidden(_) => 403,
            WebhookError::PayloadTooLarge { .. } => 413,
            WebhookError::MalformedBody(_) => 400,
            WebhookError::WrongEvent(_) => 422,
            WebhookError::IdempotencyKeyReused(_) => 409,
            WebhookError::InProgress { .. } => 429,
            WebhookError::Unavailable(_) => 503,
            WebhookError::Internal(_) => 500,
        }
    }

    /// A short machine-readable reason, in the response body and the log line.
    pub fn code(&self) -> &'static str {
        match self {
            WebhookError::Unverified(e) => e.code(),
            WebhookError::Forbidden(_) => "forbidden",
            WebhookError::PayloadTooLarge { .. } => "payload_too_large",
            WebhookError::MalformedBody(_) => "malformed_body",
            WebhookError::WrongEvent(_) => "wrong_event",
            WebhookError::IdempotencyKeyReused(_) => "idempotency_key_reused",
            WebhookError::InProgress { .. } => "in_progress",
            WebhookError::Unavailable(_) => "temporarily_unavailable",
            WebhookError::Internal(_) => "internal_error",
        }
    }

    /// The message the sender sees; internal details stay in our logs.
    fn public_message(&self) -> String {
        match self {
            WebhookError::Internal(_) => {
                "internal error; the delivery was not processed".to_owned()
            }
            other => other.to_string(),
        }
    }

    /// Rossum's parsable error format (`messages` with one error), plus an `error` code, so
    /// that every platform and every person reading a delivery log sees the reason.
    pub fn to_response(&self) -> Response<Body> {
        let mut response = json_response(
            self.status(),
            &json!({
                "error": self.code(),
                "messages": [{"type": "error", "content": self.public_message()}],
            }),
        );
        if let Some(seconds) = self.retry_after_secs() {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        response
    }

    /// The `Retry-After` the answer carries, in seconds, when retrying later may succeed.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            WebhookError::Unavailable(_) => Some(5),
            WebhookError::InProgress { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::Unverified(e) => write!(f, "{e}"),
            WebhookError::PayloadTooLarge { size, limit } => {
                write!(
                    f,
                    "request body of {size} bytes exceeds the limit of {limit} bytes"
                )
            }
            WebhookError::MalformedBody(m) => write!(f, "malformed body: {m}"),
            WebhookError::WrongEvent(m) => write!(f, "{m}"),
            WebhookError::IdempotencyKeyReused(key) => write!(
                f,
                "the idempotency key {key:?} was used by an earlier delivery with a different body"
            ),
            WebhookError::InProgress { .. } => write!(
                f,
                "an earlier delivery with the same idempotency key is still being handled; retry later"
            ),
            WebhookError::Forbidden(m) => write!(f, "forbidden: {m}"),
            WebhookError::Unavailable(m) => write!(f, "temporarily unavailable: {m}"),
            WebhookError::Internal(m) => write!(f, "internal error: {m}"),
        }
    }
}

impl std::error::Error for WebhookError {}

impl From<VerifyError> for WebhookError {
    fn from(e: VerifyError) -> Self {
        WebhookError::Unverified(e)
    }
}

/// A store that cannot be used is a 503, which the platforms retry.
impl From<unavailable::Unavailable> for WebhookError {
    fn from(e: unavailable::Unavailable) -> Self {
        WebhookError::Unavailable(e.to_string())
    }
}

/// Parses a verified body. serde's message (with line and column) goes to the sender.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, WebhookError> {
    // Checked as UTF-8 once, the body is read as text, whose strings serde_json then does not
    // check again one by one; a body that is not UTF-8 gets serde_json's own message.
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
    .map_err(|e| WebhookError::MalformedBody(format!("invalid JSON: {e}")))
}

#[cfg(test)]
mod rossum_retries {
    use super::*;
    use crate::rossum::RETRIED_STATUSES;

    #[test]
    fn rossum_retries_every_temporary_answer_and_no_final_one() {
        let temporary = [
            WebhookError::InProgress {
                retry_after_secs: 5,
            },
            WebhookError::Unavailable("records table".into()),
            WebhookError::Internal("bug".into()),
        ];
        for error in temporary {
            assert!(RETRIED_STATUSES.contains(&error.status()), "{error:?}");
        }
        let final_answers = [
            WebhookError::Unverified(VerifyError::Mismatch),
            WebhookError::Forbidden("other organisation".into()),
            WebhookError::PayloadTooLarge { size: 2, limit: 1 },
            WebhookError::MalformedBody("no request_id".into()),
            WebhookError::WrongEvent("email.received".into()),
            WebhookError::IdempotencyKeyReused("r-1".into()),
        ];
        for error in final_answers {
            assert!(!RETRIED_STATUSES.contains(&error.status()), "{error:?}");
            assert!((400..500).contains(&error.status()), "{error:?}");
        }
    }
}

#[cfg(test)]
mod parsing {
    use super::*;

    #[test]
    fn a_body_that_is_not_utf8_gets_serde_jsons_message_with_its_position() {
        let body = b"{\"a\": \"caf\xe9\"}";
        let Err(WebhookError::MalformedBody(message)) = parse_json::<serde_json::Value>(body)
        else {
            panic!("not UTF-8 is a malformed body");
        };
        let expected = serde_json::from_slice::<serde_json::Value>(body).unwrap_err();
        assert_eq!(message, format!("invalid JSON: {expected}"));
        assert!(message.contains("line 1 column"), "{message}");
    }

    #[test]
    fn text_and_bytes_read_alike() {
        let body = "{\"a\": [\"caf\u{e9} \\u00e9\", 1.5, null], \"b\": {\"c\": true}}";
        let parsed: serde_json::Value = parse_json(body.as_bytes()).unwrap();
        let expected: serde_json::Value = serde_json::from_slice(body.as_bytes()).unwrap();
        assert_eq!(parsed, expected);
        let truncated = &body.as_bytes()[..body.len() - 3];
        let Err(WebhookError::MalformedBody(message)) = parse_json::<serde_json::Value>(truncated)
        else {
            panic!("a truncated body is malformed");
        };
        let expected = serde_json::from_slice::<serde_json::Value>(truncated).unwrap_err();
        assert_eq!(message, format!("invalid JSON: {expected}"));
    }
}
