//! The error every store returns: its dependency could not be used. The request path turns it
//! into a 503 with `?` (`webhook_endpoint::WebhookError` converts from it), which the
//! platforms retry.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// A dependency (a table, a store) could not be read or written: unreachable, throttled,
/// misconfigured, or an item that does not read back as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    /// What could not be used, as the message names it ("records", "master data", ...).
    pub dependency: &'static str,
    /// Why, with the whole cause; never a secret.
    pub reason: String,
}

impl Unavailable {
    pub fn new(dependency: &'static str, reason: impl Into<String>) -> Self {
        Self {
            dependency,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} unavailable: {}", self.dependency, self.reason)
    }
}

impl std::error::Error for Unavailable {}

/// What a store's methods return: boxed so that the store traits stay object-safe (functions
/// are handed `Arc<dyn Store>`: DynamoDB in AWS, memory in tests and the local server).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Unavailable>> + Send + 'a>>;
