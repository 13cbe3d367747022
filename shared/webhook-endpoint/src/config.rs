use std::time::Duration;

use webhook_verify::{ContractFitVerifier, InkitVerifier, RossumVerifier, SecretSet};

/// Lambda's synchronous request payload limit (6 MB): nothing larger can reach a function.
pub const DEFAULT_MAX_BODY_BYTES: usize = 6 * 1024 * 1024;

/// The replay window used when `ROSSUM_MAX_EVENT_AGE_SECONDS` is set but unreadable: longer
/// than Rossum's retries of one delivery, so a retry is never refused as a replay.
pub const RECOMMENDED_MAX_EVENT_AGE: Duration = Duration::from_secs(900);

/// The environment variables this crate reads; the same for Lambda and the local server.
pub mod env_names {
    pub const ROSSUM_SECRET: &str = "ROSSUM_HOOK_SECRET";
    pub const ROSSUM_SECRET_PREVIOUS: &str = "ROSSUM_HOOK_SECRET_PREVIOUS";
    pub const ROSSUM_ALLOW_LEGACY_SHA1: &str = "ROSSUM_ALLOW_LEGACY_SHA1";
    pub const ROSSUM_MAX_EVENT_AGE_SECONDS: &str = "ROSSUM_MAX_EVENT_AGE_SECONDS";
    pub const INKIT_SECRET: &str = "INKIT_WEBHOOK_SECRET";
    pub const INKIT_SECRET_PREVIOUS: &str = "INKIT_WEBHOOK_SECRET_PREVIOUS";
    pub const CONTRACTFIT_TOKEN: &str = "CONTRACTFIT_WEBHOOK_TOKEN";
    pub const CONTRACTFIT_TOKEN_PREVIOUS: &str = "CONTRACTFIT_WEBHOOK_TOKEN_PREVIOUS";
    pub const MAX_BODY_BYTES: &str = "WEBHOOK_MAX_BODY_BYTES";
}

/// Where missing secrets come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSource {
    /// A deployed function: a missing secret stays missing and every delivery is refused.
    Environment,
    /// The local server: a missing secret is replaced by a published development secret.
    EnvironmentOrDevelopmentDefaults,
}

/// A development secret the local server used because the variable was unset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevelopmentSecret {
    pub variable: &'static str,
    pub value: &'static str,
}

/// The published development secrets; `events/` is signed with these.
pub const DEVELOPMENT_SECRETS: [DevelopmentSecret; 3] = [
    DevelopmentSecret {
        variable: env_names::ROSSUM_SECRET,
        value: "rossum-development-secret",
    },
    DevelopmentSecret {
        variable: env_names::INKIT_SECRET,
        value: "inkit-development-secret",
    },
    DevelopmentSecret {
        variable: env_names::CONTRACTFIT_TOKEN,
        value: "contractfit-development-token",
    },
];

/// Everything an endpoint needs from its environment, read once at start-up.
#[derive(Debug, Clone)]
pub struct EndpointConfig {
    pub rossum: RossumVerifier,
    pub inkit: InkitVerifier,
    pub contractfit: ContractFitVerifier,
    pub max_body_bytes: usize,
    /// Variables that were unset and replaced by development secrets (local server only).
    pub development_secrets_in_use: Vec<DevelopmentSecret>,
    /// Variables that were unset with no replacement: their provider refuses every delivery.
    pub unconfigured: Vec<&'static str>,
    /// Problems with values that were set, to be logged at start-up.
    pub warnings: Vec<String>,
}

impl EndpointConfig {
    /// Reads the process environment.
    pub fn from_env(source: SecretSource) -> Self {
        Self::from_lookup(source, |name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(source: SecretSource, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut development_secrets_in_use = Vec::new();
        let mut unconfigured = Vec::new();
        let mut warnings = Vec::new();
        let mut secrets = |current: &'static str, previous: &'static str| -> Option<SecretSet> {
            let value = lookup(current).filter(|v| !v.is_empty());
            let value = match (value, source) {
                (Some(v), _) => Some(v),
                (None, SecretSource::EnvironmentOrDevelopmentDefaults) => {
                    let dev = DEVELOPMENT_SECRETS.iter().find(|d| d.variable == current)?;
                    development_secrets_in_use.push(dev.clone());
                    Some(dev.value.to_owned())
                }
                (None, SecretSource::Environment) => None,
            };
            if value.is_none() {
                unconfigured.push(current);
            }
            SecretSet::from_values(value.as_deref(), lookup(previous).as_deref())
        };
        let rossum_secrets = secrets(env_names::ROSSUM_SECRET, env_names::ROSSUM_SECRET_PREVIOUS);
        let inkit_secrets = secrets(env_names::INKIT_SECRET, env_names::INKIT_SECRET_PREVIOUS);
        let contractfit_tokens = secrets(
            env_names::CONTRACTFIT_TOKEN,
            env_names::CONTRACTFIT_TOKEN_PREVIOUS,
        );

        let allow_legacy_sha1 = match lookup(env_names::ROSSUM_ALLOW_LEGACY_SHA1) {
            None => true,
            Some(v) => match parse_flag(&v) {
                Some(flag) => flag,
                None => {
                    // Fail closed: an unreadable switch does not widen what is accepted.
                    warnings.push(format!(
                        "{} has unrecognised value {v:?}; legacy SHA-1 signatures are refused",
                        env_names::ROSSUM_ALLOW_LEGACY_SHA1
                    ));
                    false
                }
            },
        };
        let max_event_age = match lookup(env_names::ROSSUM_MAX_EVENT_AGE_SECONDS) {
            None => None,
            Some(v) => match v.trim() {
                "" | "0" => None,
                seconds => match seconds.parse::<u64>() {
                    Ok(seconds) => Some(Duration::from_secs(seconds)),
                    Err(_) => {
                        // Fail closed: whoever set it meant the window to be on.
                        warnings.push(format!(
                            "{} has invalid value {v:?}; using {} seconds",
                            env_names::ROSSUM_MAX_EVENT_AGE_SECONDS,
                            RECOMMENDED_MAX_EVENT_AGE.as_secs()
                        ));
                        Some(RECOMMENDED_MAX_EVENT_AGE)
                    }
                },
            },
        };
        let max_body_bytes = match lookup(env_names::MAX_BODY_BYTES) {
            None => DEFAULT_MAX_BODY_BYTES,
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => {
                    warnings.push(format!(
                        "{} has invalid value {v:?}; using {DEFAULT_MAX_BODY_BYTES}",
                        env_names::MAX_BODY_BYTES
                    ));
                    DEFAULT_MAX_BODY_BYTES
                }
            },
        };

        Self {
            rossum: RossumVerifier::new(rossum_secrets)
                .allow_legacy_sha1(allow_legacy_sha1)
                .max_event_age(max_event_age),
            inkit: InkitVerifier::new(inkit_secrets),
            contractfit: ContractFitVerifier::new(contractfit_tokens),
            max_body_bytes,
            development_secrets_in_use,
            unconfigured,
            warnings,
        }
    }

    /// Logs what start-up found: problems at warn level, a missing secret at error level.
    pub fn log_startup_findings(&self, needed: &[&'static str]) {
        for warning in &self.warnings {
            tracing::warn!("{warning}");
        }
        for variable in self.unconfigured.iter().filter(|v| needed.contains(v)) {
            tracing::error!(
                "{variable} is not set: every delivery will be refused with 500 until it is"
            );
        }
    }
}

fn parse_flag(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use webhook_verify::{VerifyError, hmac_sha256};

    fn config(source: SecretSource, vars: &[(&str, &str)]) -> EndpointConfig {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        EndpointConfig::from_lookup(source, |name| vars.get(name).cloned())
    }

    fn rossum_headers(key: &[u8], body: &[u8]) -> [(&'static str, String); 1] {
        [(
            "X-Rossum-Signature-SHA256",
            format!("sha256={}", hex_string(&hmac_sha256(key, body))),
        )]
    }

    fn hex_string(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn verify_rossum(config: &EndpointConfig, key: &[u8]) -> Result<(), VerifyError> {
        let body = b"{}";
        let headers = rossum_headers(key, body);
        let pairs = [(headers[0].0, headers[0].1.as_str())];
        config.rossum.verify(&pairs, body).map(|_| ())
    }

    #[test]
    fn a_deployed_function_without_a_secret_refuses_everything() {
        let config = config(SecretSource::Environment, &[]);
        assert_eq!(
            verify_rossum(&config, b"rossum-development-secret"),
            Err(VerifyError::NotConfigured { provider: "rossum" })
        );
        assert!(config.development_secrets_in_use.is_empty());
        assert_eq!(config.unconfigured.len(), 3);
    }

    #[test]
    fn the_local_server_falls_back_to_published_development_secrets() {
        let config = config(SecretSource::EnvironmentOrDevelopmentDefaults, &[]);
        assert_eq!(verify_rossum(&config, b"rossum-development-secret"), Ok(()));
        assert_eq!(config.development_secrets_in_use.len(), 3);
        assert!(config.unconfigured.is_empty());
    }

    #[test]
    fn configured_and_previous_secrets_verify_and_the_development_secret_does_not() {
        let config = config(
            SecretSource::EnvironmentOrDevelopmentDefaults,
            &[
                ("ROSSUM_HOOK_SECRET", "new"),
                ("ROSSUM_HOOK_SECRET_PREVIOUS", "old"),
            ],
        );
        assert_eq!(verify_rossum(&config, b"new"), Ok(()));
        assert_eq!(verify_rossum(&config, b"old"), Ok(()));
        assert_eq!(
            verify_rossum(&config, b"rossum-development-secret"),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            config.development_secrets_in_use.len(),
            2,
            "inkit and contract.fit only"
        );
    }

    #[test]
    fn an_empty_secret_counts_as_unset() {
        let config = config(SecretSource::Environment, &[("ROSSUM_HOOK_SECRET", "")]);
        assert_eq!(
            verify_rossum(&config, b""),
            Err(VerifyError::NotConfigured { provider: "rossum" })
        );
    }

    #[test]
    fn the_replay_window_is_off_unless_set_to_a_number_of_seconds() {
        let window = |value: Option<&str>| {
            let mut vars = vec![("ROSSUM_HOOK_SECRET", "s")];
            vars.extend(value.map(|v| ("ROSSUM_MAX_EVENT_AGE_SECONDS", v)));
            let config = config(SecretSource::Environment, &vars);
            (config.rossum.event_age_window(), config.warnings.len())
        };
        assert_eq!(window(None), (None, 0));
        assert_eq!(window(Some("0")), (None, 0));
        assert_eq!(window(Some("")), (None, 0));
        assert_eq!(window(Some(" 900 ")), (Some(Duration::from_secs(900)), 0));
        // Unreadable: on, at the recommended window, and reported.
        assert_eq!(window(Some("15m")), (Some(RECOMMENDED_MAX_EVENT_AGE), 1));
        assert_eq!(window(Some("-1")), (Some(RECOMMENDED_MAX_EVENT_AGE), 1));
    }

    #[test]
    fn unreadable_values_fall_back_safely_and_are_reported() {
        let config = config(
            SecretSource::Environment,
            &[
                ("ROSSUM_HOOK_SECRET", "s"),
                ("ROSSUM_ALLOW_LEGACY_SHA1", "maybe"),
                ("WEBHOOK_MAX_BODY_BYTES", "lots"),
            ],
        );
        assert_eq!(config.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        assert_eq!(config.warnings.len(), 2);
        let legacy = [(
            "X-Elis-Signature",
            "sha1=0000000000000000000000000000000000000000",
        )];
        assert!(matches!(
            config.rossum.verify(&legacy, b"{}"),
            Err(VerifyError::LegacySchemeDisabled { .. })
        ));
    }
}
