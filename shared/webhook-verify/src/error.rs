use std::fmt;

/// Why a delivery was refused. Every variant but [`VerifyError::NotConfigured`] is the
/// sender's fault (HTTP 401); `NotConfigured` is ours (HTTP 500) and refuses everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// No secret is configured for this provider: fail closed.
    NotConfigured { provider: &'static str },
    /// The signature (or token) header is absent.
    MissingSignature { header: &'static str },
    /// The header is present but cannot be a valid signature.
    Malformed {
        header: &'static str,
        reason: &'static str,
    },
    /// Only the legacy SHA-1 header was sent, and the legacy scheme is switched off.
    LegacySchemeDisabled { header: &'static str },
    /// Well formed, but made with none of the configured secrets (or over other bytes).
    Mismatch,
    /// Authentic, but its signed time is outside the replay window (or unreadable while the
    /// window is on).
    Stale { reason: &'static str },
}

impl VerifyError {
    /// A short machine-readable reason for response bodies and logs.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::NotConfigured { .. } => "not_configured",
            VerifyError::MissingSignature { .. } => "missing_signature",
            VerifyError::Malformed { .. } => "malformed_signature",
            VerifyError::LegacySchemeDisabled { .. } => "legacy_signature_disabled",
            VerifyError::Mismatch => "signature_mismatch",
            VerifyError::Stale { .. } => "stale_timestamp",
        }
    }

    /// The HTTP status this refusal is answered with.
    pub fn http_status(&self) -> u16 {
        match self {
            VerifyError::NotConfigured { .. } => 500,
            _ => 401,
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::NotConfigured { provider } => {
                write!(f, "webhook verification for {provider} is not configured")
            }
            VerifyError::MissingSignature { header } => write!(f, "missing {header} header"),
            VerifyError::Malformed { header, reason } => {
                write!(f, "malformed {header} header: {reason}")
            }
            VerifyError::LegacySchemeDisabled { header } => {
                write!(
                    f,
                    "the legacy {header} (HMAC-SHA1) signature is not accepted"
                )
            }
            VerifyError::Mismatch => write!(f, "signature does not match the request body"),
            VerifyError::Stale { reason } => write!(f, "delivery refused as a replay: {reason}"),
        }
    }
}

impl std::error::Error for VerifyError {}
