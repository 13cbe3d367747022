use std::collections::BTreeMap;
use std::time::Duration;

use webhook_model::inkit::InkitEventType;
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
    /// The ARN of the platform's secret in Secrets Manager: when set, the secrets are read
    /// from there at run time and the plain variables above are not used.
    pub const ROSSUM_SECRET_ARN: &str = "ROSSUM_HOOK_SECRET_ARN";
    pub const INKIT_SECRET_ARN: &str = "INKIT_WEBHOOK_SECRET_ARN";
    pub const CONTRACTFIT_TOKEN_ARN: &str = "CONTRACTFIT_WEBHOOK_TOKEN_ARN";

    /// The secret of the Inkit webhook for one event type, e.g.
    /// `INKIT_DOCUMENT_CREATE_FINISHED_WEBHOOK_SECRET`: Inkit gives every webhook its own key.
    pub fn inkit_secret_for(event_type: &super::InkitEventType) -> String {
        format!("INKIT_{}_WEBHOOK_SECRET", event_type.as_str())
    }

    /// The previous key of that webhook, accepted too while a rotation is under way.
    pub fn inkit_secret_previous_for(event_type: &super::InkitEventType) -> String {
        format!("{}_PREVIOUS", inkit_secret_for(event_type))
    }
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
    // Only for an Inkit event type without a function: each of those that have one gets its
    // own key, `development_inkit_secret`.
    DevelopmentSecret {
        variable: env_names::INKIT_SECRET,
        value: "inkit-development-secret",
    },
    DevelopmentSecret {
        variable: env_names::CONTRACTFIT_TOKEN,
        value: "contractfit-development-token",
    },
];

/// The published development key of the Inkit webhook sending `event_type`, used by the local
/// server when neither its own variable nor `INKIT_WEBHOOK_SECRET` is set: every Inkit webhook
/// has its own key, in development too. `events/` is signed with these.
pub fn development_inkit_secret(event_type: &InkitEventType) -> String {
    let name = event_type.as_str().to_ascii_lowercase().replace('_', "-");
    format!("inkit-{name}-development-secret")
}

/// Everything an endpoint needs from its environment, read once at start-up.
#[derive(Debug, Clone)]
pub struct EndpointConfig {
    pub rossum: RossumVerifier,
    /// The verifier of Inkit webhooks without a key of their own (`INKIT_WEBHOOK_SECRET`).
    pub inkit: InkitVerifier,
    /// The Inkit webhooks given their own key (`INKIT_<EVENT_TYPE>_WEBHOOK_SECRET`).
    inkit_by_event_type: BTreeMap<String, InkitVerifier>,
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
        let shared_inkit_secret = lookup(env_names::INKIT_SECRET).filter(|v| !v.is_empty());
        let inkit_by_event_type = InkitEventType::DOCUMENTED
            .iter()
            .filter_map(|event_type| {
                let own =
                    lookup(&env_names::inkit_secret_for(event_type)).filter(|v| !v.is_empty());
                let secrets = match (own, &shared_inkit_secret, source) {
                    (Some(own), _, _) => SecretSet::from_values(
                        Some(&own),
                        lookup(&env_names::inkit_secret_previous_for(event_type)).as_deref(),
                    ),
                    (None, Some(_), _) => inkit_secrets.clone(),
                    (None, None, SecretSource::EnvironmentOrDevelopmentDefaults) => {
                        SecretSet::from_values(Some(&development_inkit_secret(event_type)), None)
                    }
                    (None, None, SecretSource::Environment) => None,
                }?;
                Some((
                    event_type.as_str().to_owned(),
                    InkitVerifier::new(Some(secrets)),
                ))
            })
            .collect();

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
            inkit_by_event_type,
            contractfit: ContractFitVerifier::new(contractfit_tokens),
            max_body_bytes,
            development_secrets_in_use,
            unconfigured,
            warnings,
        }
    }

    /// The verifier of the Inkit webhook sending `event_type`: its own key when
    /// `INKIT_<EVENT_TYPE>_WEBHOOK_SECRET` is set, else the shared `INKIT_WEBHOOK_SECRET`, else
    /// (local server only) its published development key; a deployed function with neither
    /// refuses everything.
    pub fn inkit_for(&self, event_type: &InkitEventType) -> InkitVerifier {
        match self.inkit_by_event_type.get(event_type.as_str()) {
            Some(verifier) => verifier.clone(),
            None if InkitEventType::DOCUMENTED.contains(event_type) => InkitVerifier::new(None),
            None => self.inkit.clone(),
        }
    }

    /// Whether the Inkit webhook sending `event_type` has a key.
    pub fn inkit_configured_for(&self, event_type: &InkitEventType) -> bool {
        self.inkit_by_event_type.contains_key(event_type.as_str())
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

    /// [`Self::log_startup_findings`] for the function receiving Inkit's `event_type`, whose
    /// key may be its own variable or the shared one.
    pub fn log_inkit_startup_findings(&self, event_type: &InkitEventType) {
        self.log_startup_findings(&[]);
        if !self.inkit_configured_for(event_type) {
            tracing::error!(
                "neither {} nor {} is set: every delivery will be refused with 500 until one is",
                env_names::inkit_secret_for(event_type),
                env_names::INKIT_SECRET
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

    fn verify_inkit(verifier: &InkitVerifier, key: &[u8]) -> Result<(), VerifyError> {
        let body = br#"{"event_type":"DOCUMENT_DELETED","resource_id":"doc_1"}"#;
        let signature = hex_string(&hmac_sha256(key, body));
        let headers = [("Inkit-Signature", signature.as_str())];
        verifier.verify(&headers, body).map(|_| ())
    }

    #[test]
    fn each_inkit_webhook_has_its_own_key_and_the_shared_one_is_the_fallback() {
        let finished = InkitEventType::DocumentCreateFinished;
        let failed = InkitEventType::DocumentCreateFailed;
        let deleted = InkitEventType::DocumentDeleted;
        let config = config(
            SecretSource::Environment,
            &[
                (
                    "INKIT_DOCUMENT_CREATE_FINISHED_WEBHOOK_SECRET",
                    "finished-key",
                ),
                (
                    "INKIT_DOCUMENT_CREATE_FINISHED_WEBHOOK_SECRET_PREVIOUS",
                    "finished-old",
                ),
                ("INKIT_DOCUMENT_CREATE_FAILED_WEBHOOK_SECRET", "failed-key"),
                ("INKIT_WEBHOOK_SECRET", "shared-key"),
            ],
        );
        assert_eq!(
            verify_inkit(&config.inkit_for(&finished), b"finished-key"),
            Ok(())
        );
        assert_eq!(
            verify_inkit(&config.inkit_for(&finished), b"finished-old"),
            Ok(())
        );
        // Another webhook's key, or the shared one, is not this webhook's.
        assert_eq!(
            verify_inkit(&config.inkit_for(&finished), b"failed-key"),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify_inkit(&config.inkit_for(&finished), b"shared-key"),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify_inkit(&config.inkit_for(&failed), b"failed-key"),
            Ok(())
        );
        assert_eq!(
            verify_inkit(&config.inkit_for(&failed), b"finished-key"),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify_inkit(&config.inkit_for(&deleted), b"shared-key"),
            Ok(())
        );
    }

    #[test]
    fn an_inkit_webhook_without_any_key_refuses_everything() {
        let finished = InkitEventType::DocumentCreateFinished;
        let deleted = InkitEventType::DocumentDeleted;
        let config = config(
            SecretSource::Environment,
            &[
                ("INKIT_DOCUMENT_DELETED_WEBHOOK_SECRET", "deleted-key"),
                ("INKIT_DOCUMENT_CREATE_FINISHED_WEBHOOK_SECRET", ""),
            ],
        );
        assert!(config.inkit_configured_for(&deleted));
        assert!(!config.inkit_configured_for(&finished));
        assert_eq!(
            verify_inkit(&config.inkit_for(&finished), b""),
            Err(VerifyError::NotConfigured { provider: "inkit" })
        );
        assert_eq!(
            verify_inkit(&config.inkit_for(&deleted), b"deleted-key"),
            Ok(())
        );
    }

    #[test]
    fn the_local_server_gives_each_inkit_webhook_its_own_development_key() {
        let finished = InkitEventType::DocumentCreateFinished;
        let deleted = InkitEventType::DocumentDeleted;
        let local = config(SecretSource::EnvironmentOrDevelopmentDefaults, &[]);
        assert_eq!(
            development_inkit_secret(&finished),
            "inkit-document-create-finished-development-secret"
        );
        assert_eq!(
            verify_inkit(
                &local.inkit_for(&finished),
                development_inkit_secret(&finished).as_bytes()
            ),
            Ok(())
        );
        assert_eq!(
            verify_inkit(
                &local.inkit_for(&finished),
                development_inkit_secret(&deleted).as_bytes()
            ),
            Err(VerifyError::Mismatch)
        );
        // A shared key, once set, replaces the development keys.
        let shared = config(
            SecretSource::EnvironmentOrDevelopmentDefaults,
            &[("INKIT_WEBHOOK_SECRET", "shared-key")],
        );
        assert_eq!(
            verify_inkit(&shared.inkit_for(&deleted), b"shared-key"),
            Ok(())
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
