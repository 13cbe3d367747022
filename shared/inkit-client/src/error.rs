use std::fmt;

/// Why a document could not be had. None of the messages carries the API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InkitError {
    /// No API token is configured: nothing was asked.
    NotConfigured,
    /// The client cannot be used as configured (an unusable base URL or token, no TLS
    /// roots): nothing was asked.
    Misconfigured(String),
    /// No usable answer within the attempts and the deadline (timeouts, refused
    /// connections, 5xx, 429): worth trying again later.
    Unavailable(String),
    /// Inkit answered 404: there is no such document (or no longer).
    NotFound,
    /// Inkit answered, but not with the documented JSON (or with an unexpected status).
    Malformed(String),
    /// Inkit refused the API token (401 or 403).
    Unauthorized { status: u16 },
}

impl InkitError {
    /// A short machine-readable reason, for logs and records.
    pub fn code(&self) -> &'static str {
        match self {
            InkitError::NotConfigured => "not_configured",
            InkitError::Misconfigured(_) => "misconfigured",
            InkitError::Unavailable(_) => "unavailable",
            InkitError::NotFound => "not_found",
            InkitError::Malformed(_) => "malformed",
            InkitError::Unauthorized { .. } => "unauthorized",
        }
    }
}

impl fmt::Display for InkitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InkitError::NotConfigured => write!(f, "no Inkit API token is configured"),
            InkitError::Misconfigured(m) => write!(f, "the Inkit client is misconfigured: {m}"),
            InkitError::Unavailable(m) => write!(f, "the Inkit API is unavailable: {m}"),
            InkitError::NotFound => write!(f, "Inkit has no such document"),
            InkitError::Malformed(m) => write!(f, "the Inkit API answered unexpectedly: {m}"),
            InkitError::Unauthorized { status } => {
                write!(f, "the Inkit API refused the API token (HTTP {status})")
            }
        }
    }
}

impl std::error::Error for InkitError {}
