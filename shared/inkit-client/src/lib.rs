//! A client of the Inkit API's document endpoint, `GET {base_url}/document/{id}` with the
//! API key in `X-Inkit-API-Token`, built to be called from a webhook with a deadline.
//!
//! - Each attempt has a timeout (default 10 s), covering connect, TLS and the whole answer;
//!   all attempts and pauses share one overall deadline (default 20 s). These are our own
//!   choice: Inkit's SDK 1.0.5 waits 20 s and does not retry `Document.get`, while a webhook
//!   should answer quickly and a read is safe to retry.
//! - Timeouts, connection failures, 5xx and 429 are retried (at most 4 attempts in all) after
//!   an exponential pause with jitter, or after the answer's `Retry-After` (delay-seconds or
//!   HTTP date), shortened to at most 5 s. No retry starts with less than an attempt's time
//!   (at most 1 s) left before the deadline.
//! - Errors are typed ([`InkitError`]): [`InkitError::Unavailable`] when retries are spent
//!   (the details are then pending, completed later by the project: Inkit documents no
//!   redelivery), [`InkitError::NotFound`],
//!   [`InkitError::Malformed`] (not the documented JSON), [`InkitError::Unauthorized`], and
//!   [`InkitError::NotConfigured`] when no API token is set.
//! - HTTPS through hyper-rustls (ring) with Mozilla's root certificates compiled in; plain `http://` base
//!   URLs are accepted for loopback hosts only (the local stand-ins of tests and
//!   development), so the token never crosses a network in clear. The token is never logged.
//!
//! Functions depend on the [`InkitApi`] trait, so tests and configuration problems can put
//! another implementation in the client's place; [`inkit_api_from_env`] builds the one a
//! Lambda function or the local server uses.

mod client;
mod config;
mod error;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use client::{API_TOKEN_HEADER, InkitClient};
pub use config::{
    ApiToken, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_BASE_URL, DEFAULT_DEADLINE, DEFAULT_MAX_ATTEMPTS,
    InkitConfig, env_names,
};
pub use error::InkitError;
pub use webhook_model::inkit::Document;

pub type InkitFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, InkitError>> + Send + 'a>>;

/// What a function asks Inkit. Object-safe, so a function is handed the real client or
/// another implementation at start-up.
pub trait InkitApi: Send + Sync {
    /// The document `document_id` (`doc_...`).
    fn document<'a>(&'a self, document_id: &'a str) -> InkitFuture<'a, Document>;
}

/// The client of a function whose Inkit configuration cannot be used: every call fails
/// with [`InkitError::Misconfigured`] and asks nothing.
#[derive(Debug, Clone)]
pub struct MisconfiguredInkitApi {
    reason: String,
}

impl MisconfiguredInkitApi {
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

impl InkitApi for MisconfiguredInkitApi {
    fn document<'a>(&'a self, _document_id: &'a str) -> InkitFuture<'a, Document> {
        Box::pin(std::future::ready(Err(InkitError::Misconfigured(
            self.reason.clone(),
        ))))
    }
}

/// The client a Lambda function (or the local server) uses, configured from
/// `INKIT_API_URL`, `INKIT_API_TOKEN`, `INKIT_API_TIMEOUT_MS` and `INKIT_API_DEADLINE_MS`.
///
/// Logs what start-up found. A configuration the client cannot use is logged at error level
/// and gives a [`MisconfiguredInkitApi`].
pub fn inkit_api_from_env() -> Arc<dyn InkitApi> {
    let config = InkitConfig::from_env();
    config.log_startup_findings();
    match InkitClient::new(config) {
        Ok(client) => Arc::new(client),
        Err(error) => {
            tracing::error!("{error}: document details cannot be fetched until it is fixed");
            let reason = match error {
                InkitError::Misconfigured(reason) => reason,
                other => other.to_string(),
            };
            Arc::new(MisconfiguredInkitApi::new(reason))
        }
    }
}
