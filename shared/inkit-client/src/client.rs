//! `GET {base_url}/document/{id}` over hyper, with timeouts, a deadline and retries.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use backon::{ExponentialBuilder, Retryable};
use bytes::Bytes;
use http::header::{ACCEPT, HeaderValue, RETRY_AFTER, USER_AGENT};
use http::{Request, StatusCode, Uri};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use webhook_model::inkit::Document;

use crate::{InkitApi, InkitConfig, InkitError, InkitFuture};

/// The header Inkit reads the API key from.
pub const API_TOKEN_HEADER: &str = "x-inkit-api-token";

/// A document is a few hundred bytes; anything this large is not one.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Idle connections are kept this long, so warm invocations skip the TLS handshake.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// The Inkit API client. Cheap to share: one connection pool per client.
#[derive(Clone)]
pub struct InkitClient {
    config: InkitConfig,
    /// `{base_url}/document/`, validated.
    document_prefix: String,
    token_header: Option<HeaderValue>,
    http: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
}

impl std::fmt::Debug for InkitClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InkitClient")
            .field("document_prefix", &self.document_prefix)
            .field("api_token", &self.config.api_token)
            .field("attempt_timeout", &self.config.attempt_timeout)
            .field("deadline", &self.config.deadline)
            .finish_non_exhaustive()
    }
}

/// What one attempt gave.
enum Attempt {
    Answer {
        status: StatusCode,
        retry_after: Option<Duration>,
        body: Bytes,
    },
    /// No HTTP answer: refused or reset connection, TLS failure, an unreadable answer.
    Failed(String),
}

/// What to do after one attempt.
enum Verdict {
    /// Boxed: a document is large next to a retry.
    Done(Result<Box<Document>, InkitError>),
    Retry {
        reason: String,
        retry_after: Option<Duration>,
    },
}

/// Why attempt `attempt` (from 1) did not give the document.
enum Failure {
    /// An answer: not retried.
    Final(InkitError),
    Retryable {
        attempt: u32,
        reason: String,
        retry_after: Option<Duration>,
    },
}

impl InkitClient {
    /// A client for `config`. Fails when the base URL is not `https://` (plain `http://` is
    /// accepted for loopback hosts only, so the token never crosses a network in clear), or
    /// when no TLS root certificates can be loaded.
    pub fn new(config: InkitConfig) -> Result<Self, InkitError> {
        let document_prefix = document_prefix(&config.base_url)?;
        let token_header = match &config.api_token {
            None => None,
            Some(token) => {
                let mut value = HeaderValue::from_str(token.expose()).map_err(|_| {
                    InkitError::Misconfigured(
                        "the API token holds characters a header cannot carry".to_owned(),
                    )
                })?;
                // Keeps it out of hyper's debug output and HTTP/2 header tables.
                value.set_sensitive(true);
                Some(value)
            }
        };
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.attempt_timeout));
        // Mozilla's roots compiled in: nothing is read from disk on the cold-start path.
        let https = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(Arc::new(rustls::crypto::ring::default_provider()))
            .map_err(|e| InkitError::Misconfigured(format!("TLS configuration: {e}")))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let http = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .pool_timer(TokioTimer::new())
            .build(https);
        Ok(Self {
            config,
            document_prefix,
            token_header,
            http,
        })
    }

    pub fn config(&self) -> &InkitConfig {
        &self.config
    }

    /// The document `document_id`, retried on timeouts, connection failures, 5xx and 429
    /// until it is had, `max_attempts` are spent or the deadline would pass.
    pub async fn get_document(&self, document_id: &str) -> Result<Document, InkitError> {
        let Some(token) = &self.token_header else {
            return Err(InkitError::NotConfigured);
        };
        let uri: Uri = format!("{}{}", self.document_prefix, encode_segment(document_id))
            .parse()
            .map_err(|e| InkitError::Malformed(format!("document id {document_id:?}: {e}")))?;
        let deadline = Instant::now() + self.config.deadline;
        let mut attempts = 0;
        let attempt = || {
            attempts += 1;
            self.judged_attempt(document_id, &uri, token, deadline, attempts)
        };
        let fetched = attempt
            .retry(self.backoff())
            .when(|failure| matches!(failure, Failure::Retryable { .. }))
            .adjust(|failure, backoff| self.pause(failure, backoff?, deadline))
            .notify(|failure, pause| {
                if let Failure::Retryable {
                    attempt, reason, ..
                } = failure
                {
                    tracing::warn!(
                        attempt,
                        pause_ms = pause.as_millis() as u64,
                        "Inkit API: {reason}; retrying"
                    );
                }
            })
            .await;
        match fetched {
            Ok(document) => Ok(*document),
            Err(Failure::Final(error)) => Err(error),
            // The backoff ran out: that was the last attempt.
            Err(Failure::Retryable {
                attempt, reason, ..
            }) if attempt >= self.config.max_attempts => Err(InkitError::Unavailable(format!(
                "{reason} (attempt {attempt} of {})",
                self.config.max_attempts
            ))),
            // Otherwise the deadline left no room for another (see `pause`).
            Err(Failure::Retryable {
                attempt, reason, ..
            }) => Err(InkitError::Unavailable(format!(
                "{reason} (attempt {attempt}; no time left for another within {} ms)",
                self.config.deadline.as_millis()
            ))),
        }
    }

    /// One attempt, within what is left of the deadline (and at most `attempt_timeout`).
    async fn judged_attempt(
        &self,
        document_id: &str,
        uri: &Uri,
        token: &HeaderValue,
        deadline: Instant,
        attempt: u32,
    ) -> Result<Box<Document>, Failure> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let timeout = self.config.attempt_timeout.min(remaining);
        let verdict = match tokio::time::timeout(timeout, self.attempt(uri, token)).await {
            Err(_) => Verdict::Retry {
                reason: format!("no answer within {} ms", timeout.as_millis()),
                retry_after: None,
            },
            Ok(Attempt::Failed(reason)) => Verdict::Retry {
                reason,
                retry_after: None,
            },
            Ok(Attempt::Answer {
                status,
                retry_after,
                body,
            }) => judge(document_id, status, retry_after, &body),
        };
        match verdict {
            Verdict::Done(result) => result.map_err(Failure::Final),
            Verdict::Retry {
                reason,
                retry_after,
            } => Err(Failure::Retryable {
                attempt,
                reason,
                retry_after,
            }),
        }
    }

    /// The pause before the next attempt: the answer's `Retry-After` (at most
    /// `max_retry_after`), else `backoff`. `None`, so no retry, when it would start with less
    /// than an attempt's time (at most 1 s) left before the deadline: the caller learns now
    /// rather than from a retry cut short.
    fn pause(&self, failure: &Failure, backoff: Duration, deadline: Instant) -> Option<Duration> {
        let asked = match failure {
            Failure::Retryable { retry_after, .. } => *retry_after,
            Failure::Final(_) => None,
        };
        let pause = match asked {
            Some(asked) => asked.min(self.config.max_retry_after),
            None => backoff,
        };
        let left_after_pause = deadline
            .saturating_duration_since(Instant::now())
            .saturating_sub(pause);
        let needed = self.config.attempt_timeout.min(Duration::from_secs(1));
        (left_after_pause >= needed).then_some(pause)
    }

    async fn attempt(&self, uri: &Uri, token: &HeaderValue) -> Attempt {
        let request = Request::get(uri.clone())
            .header(API_TOKEN_HEADER, token.clone())
            .header(ACCEPT, "application/json")
            .header(
                USER_AGENT,
                concat!("inkit-webhooks/", env!("CARGO_PKG_VERSION")),
            )
            .body(Empty::<Bytes>::new());
        let request = match request {
            Ok(request) => request,
            Err(e) => return Attempt::Failed(format!("request: {e}")),
        };
        let response = match self.http.request(request).await {
            Ok(response) => response,
            Err(e) => return Attempt::Failed(format!("request failed: {}", error_chain(&e))),
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        match Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
        {
            Ok(body) => Attempt::Answer {
                status,
                retry_after,
                body: body.to_bytes(),
            },
            Err(e) => Attempt::Failed(format!("reading the answer (HTTP {status}): {e}")),
        }
    }

    /// The pauses between attempts: `initial_backoff` doubling up to `max_backoff`, with
    /// jitter so that functions retrying together do not stay in step. Half fixed, half
    /// random (backon's jitter adds up to the delay again): never immediate, never more than
    /// the exponential step.
    fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::new()
            .with_jitter()
            .with_min_delay(self.config.initial_backoff / 2)
            .with_max_delay(self.config.max_backoff / 2)
            .with_max_times(self.config.max_attempts.saturating_sub(1) as usize)
    }
}

impl InkitApi for InkitClient {
    fn document<'a>(&'a self, document_id: &'a str) -> InkitFuture<'a, Document> {
        Box::pin(self.get_document(document_id))
    }
}

/// What an answer means.
fn judge(
    document_id: &str,
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Verdict {
    match status.as_u16() {
        200..=299 => Verdict::Done(parse_document(document_id, body).map(Box::new)),
        404 => Verdict::Done(Err(InkitError::NotFound)),
        401 | 403 => Verdict::Done(Err(InkitError::Unauthorized {
            status: status.as_u16(),
        })),
        429 | 500..=599 => Verdict::Retry {
            reason: format!("HTTP {status}"),
            retry_after,
        },
        other => Verdict::Done(Err(InkitError::Malformed(format!(
            "unexpected HTTP status {other}"
        )))),
    }
}

fn parse_document(document_id: &str, body: &[u8]) -> Result<Document, InkitError> {
    let document: Document = serde_json::from_slice(body)
        .map_err(|e| InkitError::Malformed(format!("not a document: {e}")))?;
    if document.id != document_id {
        return Err(InkitError::Malformed(format!(
            "asked for document {document_id:?}, got {:?}",
            document.id
        )));
    }
    Ok(document)
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3).
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

/// `{base_url}/document/`, after checking the base URL is one the token may be sent to.
fn document_prefix(base_url: &str) -> Result<String, InkitError> {
    // The URL itself is not repeated in errors: it could carry credentials.
    let invalid = |why: String| InkitError::Misconfigured(format!("the base URL {why}"));
    let uri: Uri = base_url
        .trim()
        .parse()
        .map_err(|_| invalid("is not a URL".to_owned()))?;
    let authority = uri
        .authority()
        .ok_or_else(|| invalid("has no host".to_owned()))?;
    if authority.as_str().contains('@') {
        return Err(invalid(
            "holds credentials; the API token is configured on its own".to_owned(),
        ));
    }
    if uri.query().is_some() {
        return Err(invalid("has a query".to_owned()));
    }
    let host = authority.host();
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if is_loopback(host) => {}
        Some("http") => {
            return Err(invalid(format!(
                "is plain http to {host}, which is not loopback: the token would cross the network in clear"
            )));
        }
        _ => return Err(invalid("is not an http(s) URL".to_owned())),
    }
    Ok(format!(
        "{}/document/",
        base_url.trim().trim_end_matches('/')
    ))
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Every byte but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`); bytes outside
/// ASCII are always encoded.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A document id as one path segment: anything but unreserved characters percent-encoded,
/// so no id can reach another path.
fn encode_segment(id: &str) -> String {
    let encoded = utf8_percent_encode(id, NOT_UNRESERVED).to_string();
    // "." and ".." are unreserved but mean something as a whole segment.
    match encoded.as_str() {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => encoded,
    }
}

/// An error and its causes on one line (hyper's own `Display` says only "client error").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_goes_only_to_https_or_loopback() {
        for ok in [
            "https://api.inkit.com/v1",
            "https://api.inkit.com/v1/",
            "http://127.0.0.1:8080/v1",
            "http://localhost:3001",
            "http://[::1]:9/v1",
        ] {
            assert!(document_prefix(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            document_prefix("https://api.inkit.com/v1/").unwrap(),
            "https://api.inkit.com/v1/document/"
        );
        for bad in [
            "http://api.inkit.com/v1",
            "ftp://api.inkit.com/v1",
            "api.inkit.com/v1",
            "https://api.inkit.com/v1?x=1",
            "https://user:secret-key@api.inkit.com/v1",
            "",
        ] {
            match document_prefix(bad) {
                Err(InkitError::Misconfigured(why)) => {
                    assert!(!why.contains("secret-key"), "{why}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn ids_stay_one_path_segment() {
        assert_eq!(
            encode_segment("doc_2N0X2g4f3b1JJU75fqzDZs"),
            "doc_2N0X2g4f3b1JJU75fqzDZs"
        );
        assert_eq!(encode_segment("../folder?x=1"), "..%2Ffolder%3Fx%3D1");
        assert_eq!(encode_segment(".."), "%2E%2E");
        assert_eq!(encode_segment("é"), "%C3%A9");
    }

    #[test]
    fn every_ascii_character_but_the_unreserved_ones_is_encoded() {
        for byte in 0..=0x7f_u8 {
            let c = char::from(byte);
            let expected = if c.is_ascii_alphanumeric() || "-._~".contains(c) {
                c.to_string()
            } else {
                format!("%{byte:02X}")
            };
            assert_eq!(
                encode_segment(&format!("a{c}")),
                format!("a{expected}"),
                "{c:?}"
            );
        }
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let parsed = parse_retry_after(&soon).unwrap();
        assert!(parsed > Duration::from_secs(25) && parsed <= Duration::from_secs(30));
        assert_eq!(parse_retry_after("later"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn statuses_are_judged_as_documented() {
        let judged = |status: u16, body: &str| match judge(
            "doc_1",
            StatusCode::from_u16(status).unwrap(),
            None,
            body.as_bytes(),
        ) {
            Verdict::Done(Ok(_)) => "ok".to_owned(),
            Verdict::Done(Err(e)) => e.code().to_owned(),
            Verdict::Retry { .. } => "retry".to_owned(),
        };
        assert_eq!(judged(200, r#"{"id": "doc_1"}"#), "ok");
        assert_eq!(judged(200, r#"{"id": "doc_2"}"#), "malformed");
        assert_eq!(judged(200, "<html>"), "malformed");
        assert_eq!(judged(404, ""), "not_found");
        assert_eq!(judged(401, ""), "unauthorized");
        assert_eq!(judged(403, ""), "unauthorized");
        assert_eq!(judged(429, ""), "retry");
        assert_eq!(judged(500, ""), "retry");
        assert_eq!(judged(503, ""), "retry");
        assert_eq!(judged(400, ""), "malformed");
        assert_eq!(judged(301, ""), "malformed");
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        use backon::BackoffBuilder;
        let client = InkitClient::new(InkitConfig::new("https://api.inkit.com/v1", None)).unwrap();
        assert_eq!(
            client.backoff().build().count(),
            crate::DEFAULT_MAX_ATTEMPTS as usize - 1,
            "a pause between each two attempts"
        );
        let mut pauses = client.backoff().without_max_times().build();
        for attempt in 1..=20 {
            let exponential = (Duration::from_millis(200) * 2u32.pow((attempt - 1).min(10)))
                .min(Duration::from_secs(2));
            let pause = pauses.next().unwrap();
            assert!(
                pause >= exponential / 2 && pause <= exponential,
                "{attempt}: {pause:?}"
            );
        }
    }
}
