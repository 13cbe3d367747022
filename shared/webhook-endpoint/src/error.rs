use std::fmt;

use serde_json::json;
use webhook_verify::VerifyError;

use crate::{Body, Response, json_response};

/// Why a request was not handled. Each variant has one HTTP status, chosen here only.
#[derive(Debug)]
pub enum WebhookError {
    /// 401 (or 500 when no secret is configured).
    Unverified(VerifyError),
    /// 413: refused before verification, so no time is spent hashing it.
    PayloadTooLarge { size: usize, limit: usize },
    /// 400: the signature is valid but the body is not what the platform documents.
    MalformedBody(String),
    /// 422: a well-formed delivery of an event this function does not handle.
    WrongEvent(String),
    /// 500: our fault; the detail is logged, not sent.
    Internal(String),
}

impl WebhookError {
    pub fn status(&self) -> u16 {
        match self {
            WebhookError::Unverified(e) => e.http_status(),
            WebhookError::PayloadTooLarge { .. } => 413,
            WebhookError::MalformedBody(_) => 400,
            WebhookError::WrongEvent(_) => 422,
            WebhookError::Internal(_) => 500,
        }
    }

    /// A short machine-readable reason, in the response body and the log line.
    pub fn code(&self) -> &'static str {
        match self {
            WebhookError::Unverified(e) => e.code(),
            WebhookError::PayloadTooLarge { .. } => "payload_too_large",
            WebhookError::MalformedBody(_) => "malformed_body",
            WebhookError::WrongEvent(_) => "wrong_event",
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
        json_response(
            self.status(),
            &json!({
                "error": self.code(),
                "messages": [{"type": "error", "content": self.public_message()}],
            }),
        )
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

/// Parses a verified body. serde's message (with line and column) goes to the sender.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, WebhookError> {
    serde_json::from_slice(body)
        .map_err(|e| WebhookError::MalformedBody(format!("invalid JSON: {e}")))
}
