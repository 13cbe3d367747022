//! How the client reaches Inkit: base URL, API token, timeouts and the retry budget.

use std::fmt;
use std::time::Duration;

/// The environment variables this crate reads; the same for Lambda and the local server.
pub mod env_names {
    pub const API_URL: &str = "INKIT_API_URL";
    pub const API_TOKEN: &str = "INKIT_API_TOKEN";
    pub const API_TIMEOUT_MS: &str = "INKIT_API_TIMEOUT_MS";
    pub const API_DEADLINE_MS: &str = "INKIT_API_DEADLINE_MS";
}

/// Inkit's public API.
pub const DEFAULT_BASE_URL: &str = "https://api.inkit.com/v1";
/// Per attempt: long enough for a slow answer, short enough that a hung connection leaves
/// time for another attempt within the deadline. (Inkit's SDK 1.0.5 waits 20 s and makes one.)
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// For all attempts and the pauses between them: leaves room in a Lambda timeout below
/// API Gateway's 30 s for the record writes around the fetch.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(20);
/// The first try and three retries: a transient 5xx, 429 or dropped connection is common and
/// cheap to retry, since a document read changes nothing. (Inkit's SDK 1.0.5 does not retry
/// `Document.get`.)
pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;

/// An Inkit API key. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// `None` for an empty or blank value.
    pub fn new(value: impl Into<String>) -> Option<Self> {
        let value = value.into().trim().to_owned();
        (!value.is_empty()).then_some(Self(value))
    }

    /// The key itself, for the request header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

impl fmt::Display for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Everything [`crate::InkitClient`] needs; [`InkitConfig::new`] gives Inkit's defaults.
#[derive(Debug, Clone)]
pub struct InkitConfig {
    /// Up to and including the version (`https://api.inkit.com/v1`); `/document/{id}` is
    /// appended.
    pub base_url: String,
    /// `None`: no document is fetched ([`crate::InkitError::NotConfigured`]).
    pub api_token: Option<ApiToken>,
    /// One request, from connecting to the last byte of the answer.
    pub attempt_timeout: Duration,
    /// Every attempt and pause of one fetch.
    pub deadline: Duration,
    /// Attempts of one fetch, the first included.
    pub max_attempts: u32,
    /// The pause before the first retry; each later one doubles, up to `max_backoff`.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured; a longer one is shortened to this.
    pub max_retry_after: Duration,
    /// Problems with values that were set, to be logged at start-up.
    pub warnings: Vec<String>,
}

impl InkitConfig {
    /// Inkit's defaults at `base_url`.
    pub fn new(base_url: impl Into<String>, api_token: Option<ApiToken>) -> Self {
        Self {
            base_url: base_url.into(),
            api_token,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(5),
            warnings: Vec::new(),
        }
    }

    /// Reads the process environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests). Unreadable
    /// values fall back to the defaults and are reported in `warnings`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let set = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let base_url = set(env_names::API_URL).unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let mut config = Self::new(base_url, set(env_names::API_TOKEN).and_then(ApiToken::new));
        let mut millis = |name: &str, default: Duration| match set(name) {
            None => default,
            Some(v) => match v.parse::<u64>() {
                Ok(ms) if ms > 0 => Duration::from_millis(ms),
                _ => {
                    config.warnings.push(format!(
                        "{name} has invalid value {v:?}; using {} ms",
                        default.as_millis()
                    ));
                    default
                }
            },
        };
        let attempt_timeout = millis(env_names::API_TIMEOUT_MS, DEFAULT_ATTEMPT_TIMEOUT);
        let deadline = millis(env_names::API_DEADLINE_MS, DEFAULT_DEADLINE);
        config.attempt_timeout = attempt_timeout;
        config.deadline = deadline;
        config
    }

    /// Logs what start-up found: unreadable values, and a missing token (at warn level:
    /// events are still recorded, only their document details are not fetched).
    pub fn log_startup_findings(&self) {
        for warning in &self.warnings {
            tracing::warn!("{warning}");
        }
        if self.api_token.is_none() {
            tracing::warn!(
                "{} is not set: Inkit events are recorded without their document details",
                env_names::API_TOKEN
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> InkitConfig {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        InkitConfig::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_are_inkits() {
        let config = config(&[]);
        assert_eq!(config.base_url, "https://api.inkit.com/v1");
        assert_eq!(config.api_token, None);
        assert_eq!(config.attempt_timeout, Duration::from_secs(10));
        assert_eq!(config.deadline, DEFAULT_DEADLINE);
        assert!(config.warnings.is_empty());
    }

    #[test]
    fn set_values_are_read_and_bad_ones_reported() {
        let config = config(&[
            ("INKIT_API_URL", " http://127.0.0.1:9/v1 "),
            ("INKIT_API_TOKEN", "secret-key"),
            ("INKIT_API_TIMEOUT_MS", "250"),
            ("INKIT_API_DEADLINE_MS", "soon"),
        ]);
        assert_eq!(config.base_url, "http://127.0.0.1:9/v1");
        assert_eq!(config.api_token.as_ref().unwrap().expose(), "secret-key");
        assert_eq!(config.attempt_timeout, Duration::from_millis(250));
        assert_eq!(config.deadline, DEFAULT_DEADLINE);
        assert_eq!(config.warnings.len(), 1, "{:?}", config.warnings);
        assert!(config.warnings[0].contains("INKIT_API_DEADLINE_MS"));
    }

    #[test]
    fn an_empty_token_is_no_token_and_a_token_is_never_shown() {
        assert_eq!(config(&[("INKIT_API_TOKEN", "  ")]).api_token, None);
        let config = config(&[("INKIT_API_TOKEN", "secret-key")]);
        let shown = format!("{config:?} {}", config.api_token.as_ref().unwrap());
        assert!(!shown.contains("secret-key"), "{shown}");
    }
}
