//! Verification of webhook deliveries exactly as each platform signs them.
//!
//! - Rossum: `X-Rossum-Signature-SHA256: sha256=<hex>` (HMAC-SHA256 of the raw body), and the
//!   legacy `X-Elis-Signature: sha1=<hex>` (HMAC-SHA1).
//! - Inkit: `Inkit-Signature: <hex>` (HMAC-SHA256 of the raw body, no prefix).
//! - contract.fit: a static header value, by default `Authorization: Bearer <token>`.
//!
//! Everything here works on the raw bytes that arrived, before any parsing. Comparisons check
//! the length first and then the bytes in constant time. A verifier without a secret refuses
//! every delivery ([`VerifyError::NotConfigured`]): nothing unsigned is ever accepted.
//! This crate does no I/O and knows nothing of HTTP servers or AWS.

mod error;
mod freshness;
mod headers;
mod secret;

pub use error::VerifyError;
pub use freshness::{MAX_CLOCK_SKEW, check_event_time, parse_rfc3339, unix_seconds};
pub use headers::HeaderSource;
pub use secret::{Secret, SecretSet, SecretUsed};

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Header carrying Rossum's current signature scheme.
pub const ROSSUM_SHA256_HEADER: &str = "x-rossum-signature-sha256";
/// Header carrying Rossum's legacy signature scheme.
pub const ROSSUM_SHA1_HEADER: &str = "x-elis-signature";
/// Header carrying Inkit's signature.
pub const INKIT_HEADER: &str = "inkit-signature";
/// Header contract.fit sends its static token in, unless configured otherwise.
pub const CONTRACTFIT_DEFAULT_HEADER: &str = "authorization";

/// The signature scheme that accepted a delivery, for logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    HmacSha256,
    LegacyHmacSha1,
    StaticToken,
}

/// What a successful verification tells the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub scheme: Scheme,
    pub secret: SecretUsed,
}

/// HMAC-SHA256 of `body` under `key`, as Rossum and Inkit compute it.
pub fn hmac_sha256(key: &[u8], body: &[u8]) -> [u8; 32] {
    let keyed = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac_of(keyed, body).into()
}

/// HMAC-SHA1 of `body` under `key`, as Rossum's legacy `X-Elis-Signature` is computed.
pub fn hmac_sha1(key: &[u8], body: &[u8]) -> [u8; 20] {
    let keyed = Hmac::<Sha1>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac_of(keyed, body).into()
}

/// The MAC of `body` from a keyed state.
pub(crate) fn mac_of<M: Mac>(mut keyed: M, body: &[u8]) -> hmac::digest::Output<M> {
    keyed.update(body);
    keyed.finalize().into_bytes()
}

/// Verifies Rossum hook deliveries.
///
/// When `X-Rossum-Signature-SHA256` is present it is the only header checked, so a forged
/// request cannot downgrade to SHA-1 by adding a legacy header. The legacy header alone is
/// accepted unless [`RossumVerifier::allow_legacy_sha1`] switched it off.
#[derive(Debug, Clone)]
pub struct RossumVerifier {
    secrets: Option<SecretSet>,
    allow_legacy_sha1: bool,
    max_event_age: Option<Duration>,
}

impl RossumVerifier {
    /// A verifier for `hook.config.secret` (and the previous one while rotating). `None`
    /// refuses every delivery as not configured.
    pub fn new(secrets: Option<SecretSet>) -> Self {
        Self {
            secrets,
            allow_legacy_sha1: true,
            max_event_age: None,
        }
    }

    /// The replay window: deliveries whose signed `timestamp` is older than this are refused
    /// (see [`check_event_time`]). `None` (the default) switches it off.
    pub fn max_event_age(mut self, max_age: Option<Duration>) -> Self {
        self.max_event_age = max_age;
        self
    }

    /// The replay window, when it is on.
    pub fn event_age_window(&self) -> Option<Duration> {
        self.max_event_age
    }

    /// Whether the legacy `X-Elis-Signature` (HMAC-SHA1) alone is enough. On by default.
    pub fn allow_legacy_sha1(mut self, allow: bool) -> Self {
        self.allow_legacy_sha1 = allow;
        self
    }

    /// The same verifier with other secrets (read at run time).
    pub fn with_secrets(&self, secrets: Option<SecretSet>) -> Self {
        Self {
            secrets,
            ..self.clone()
        }
    }

    pub fn verify(
        &self,
        headers: &(impl HeaderSource + ?Sized),
        body: &[u8],
    ) -> Result<Verified, VerifyError> {
        let secrets = self
            .secrets
            .as_ref()
            .ok_or(VerifyError::NotConfigured { provider: "rossum" })?;
        if let Some(value) = headers.header_value(ROSSUM_SHA256_HEADER) {
            let claimed = parse_prefixed_hex::<32>(value, "sha256", ROSSUM_SHA256_HEADER)?;
            return signed_by(secrets, Scheme::HmacSha256, &claimed, |secret| {
                secret.hmac_sha256(body)
            });
        }
        if let Some(value) = headers.header_value(ROSSUM_SHA1_HEADER) {
            if !self.allow_legacy_sha1 {
                return Err(VerifyError::LegacySchemeDisabled {
                    header: ROSSUM_SHA1_HEADER,
                });
            }
            let claimed = parse_prefixed_hex::<20>(value, "sha1", ROSSUM_SHA1_HEADER)?;
            return signed_by(secrets, Scheme::LegacyHmacSha1, &claimed, |secret| {
                secret.hmac_sha1(body)
            });
        }
        Err(VerifyError::MissingSignature {
            header: ROSSUM_SHA256_HEADER,
        })
    }
}

/// Verifies Inkit webhook deliveries (`Inkit-Signature`: hex HMAC-SHA256, no prefix).
#[derive(Debug, Clone)]
pub struct InkitVerifier {
    secrets: Option<SecretSet>,
}

impl InkitVerifier {
    pub fn new(secrets: Option<SecretSet>) -> Self {
        Self { secrets }
    }

    /// The same verifier with other secrets (read at run time).
    pub fn with_secrets(&self, secrets: Option<SecretSet>) -> Self {
        Self { secrets }
    }

    pub fn verify(
        &self,
        headers: &(impl HeaderSource + ?Sized),
        body: &[u8],
    ) -> Result<Verified, VerifyError> {
        let secrets = self
            .secrets
            .as_ref()
            .ok_or(VerifyError::NotConfigured { provider: "inkit" })?;
        let value = headers
            .header_value(INKIT_HEADER)
            .ok_or(VerifyError::MissingSignature {
                header: INKIT_HEADER,
            })?;
        let claimed = decode_hex_digest::<32>(value.trim_ascii(), INKIT_HEADER)?;
        signed_by(secrets, Scheme::HmacSha256, &claimed, |secret| {
            secret.hmac_sha256(body)
        })
    }
}

/// Verifies contract.fit deliveries, which carry a static token the integration was created
/// with (by default `Authorization: Bearer <token>`), not a signature of the body.
#[derive(Debug, Clone)]
pub struct ContractFitVerifier {
    header: String,
    scheme_prefix: String,
    tokens: Option<SecretSet>,
}

impl ContractFitVerifier {
    /// `Authorization: Bearer <token>`.
    pub fn new(tokens: Option<SecretSet>) -> Self {
        Self {
            header: CONTRACTFIT_DEFAULT_HEADER.to_owned(),
            scheme_prefix: "Bearer".to_owned(),
            tokens,
        }
    }

    /// Another header and auth scheme word (an empty `scheme_prefix` means the header holds
    /// the bare token), for integrations created with other `headers`.
    pub fn with_header(mut self, header: &str, scheme_prefix: &str) -> Self {
        self.header = header.to_ascii_lowercase();
        self.scheme_prefix = scheme_prefix.trim().to_owned();
        self
    }

    /// The same verifier with other tokens (read at run time).
    pub fn with_secrets(&self, tokens: Option<SecretSet>) -> Self {
        Self {
            tokens,
            ..self.clone()
        }
    }

    pub fn verify(&self, headers: &(impl HeaderSource + ?Sized)) -> Result<Verified, VerifyError> {
        let tokens = self.tokens.as_ref().ok_or(VerifyError::NotConfigured {
            provider: "contract.fit",
        })?;
        let header = static_str(&self.header);
        let value = headers
            .header_value(&self.header)
            .ok_or(VerifyError::MissingSignature { header })?
            .trim_ascii();
        let token = if self.scheme_prefix.is_empty() {
            value
        } else {
            let (scheme, rest) = split_once_ascii_space(value).ok_or(VerifyError::Malformed {
                header,
                reason: "expected '<scheme> <token>'",
            })?;
            if !scheme.eq_ignore_ascii_case(self.scheme_prefix.as_bytes()) {
                return Err(VerifyError::Malformed {
                    header,
                    reason: "unexpected authorization scheme",
                });
            }
            rest.trim_ascii()
        };
        if token.is_empty() {
            return Err(VerifyError::Malformed {
                header,
                reason: "empty token",
            });
        }
        let secret = tokens.find(|expected| constant_time_equal(expected.expose(), token))?;
        Ok(Verified {
            scheme: Scheme::StaticToken,
            secret,
        })
    }
}

/// Equal length, then equal bytes in constant time (an empty or short value never matches).
pub fn constant_time_equal(expected: &[u8], claimed: &[u8]) -> bool {
    expected.len() == claimed.len() && bool::from(expected.ct_eq(claimed))
}

fn split_once_ascii_space(value: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = value.iter().position(|b| b.is_ascii_whitespace())?;
    Some((&value[..at], &value[at + 1..]))
}

/// Parses `<prefix>=<hex>`, tolerating surrounding whitespace and any case in prefix and hex.
/// Verified under `scheme` by the secret whose `mac` is `claimed`, compared in constant time.
fn signed_by<const N: usize>(
    secrets: &SecretSet,
    scheme: Scheme,
    claimed: &[u8],
    mac: impl Fn(&Secret) -> [u8; N],
) -> Result<Verified, VerifyError> {
    let secret = secrets.find(|key| mac(key)[..].ct_eq(claimed).into())?;
    Ok(Verified { scheme, secret })
}

fn parse_prefixed_hex<const N: usize>(
    value: &[u8],
    prefix: &str,
    header: &'static str,
) -> Result<[u8; N], VerifyError> {
    let value = value.trim_ascii();
    let eq = value
        .iter()
        .position(|&b| b == b'=')
        .ok_or(VerifyError::Malformed {
            header,
            reason: "expected '<algorithm>=<hex digest>'",
        })?;
    if !value[..eq]
        .trim_ascii()
        .eq_ignore_ascii_case(prefix.as_bytes())
    {
        return Err(VerifyError::Malformed {
            header,
            reason: "unexpected signature algorithm",
        });
    }
    decode_hex_digest(value[eq + 1..].trim_ascii(), header)
}

fn decode_hex_digest<const N: usize>(
    hex_digits: &[u8],
    header: &'static str,
) -> Result<[u8; N], VerifyError> {
    if hex_digits.is_empty() {
        return Err(VerifyError::Malformed {
            header,
            reason: "empty signature",
        });
    }
    if !hex_digits.len().is_multiple_of(2) || !hex_digits.iter().all(u8::is_ascii_hexdigit) {
        return Err(VerifyError::Malformed {
            header,
            reason: "signature is not hexadecimal",
        });
    }
    // The digest length is public; checking it first keeps the constant-time compare honest.
    let mut digest = [0; N];
    hex::decode_to_slice(hex_digits, &mut digest).map_err(|_| VerifyError::Malformed {
        header,
        reason: "signature has the wrong length",
    })?;
    Ok(digest)
}

/// Errors name headers as `&'static str`: a custom header is named generically.
fn static_str(name: &str) -> &'static str {
    if name == CONTRACTFIT_DEFAULT_HEADER {
        CONTRACTFIT_DEFAULT_HEADER
    } else {
        "configured token header"
    }
}
