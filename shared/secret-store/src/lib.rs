//! Webhook secrets read at run time from AWS Secrets Manager, so that a rotation takes effect
//! within minutes and without a redeploy, and the function's environment holds only the
//! secret's ARN.
//!
//! - **One JSON secret per platform** ([`secret_set`]): `{"current": "...", "previous": "..."}`
//!   (a plain string is the current value alone). Inkit gives every webhook its own key, so
//!   its secret holds one such object per event type
//!   (`{"DOCUMENT_CREATE_FINISHED": {"current": ...}, ...}`), and the Inkit functions read
//!   theirs by its name ([`Part::Key`]).
//! - **Cached per execution environment** ([`CachedVerifier`]): read on the first delivery,
//!   then again once the TTL has passed (`SECRETS_TTL_SECONDS`, default 300).
//! - **Refreshed on failure**: a delivery that fails verification makes the cache read the
//!   secret once more before it is answered 401, at most once per `min_refresh` (so a flood
//!   of forged deliveries costs one read per interval, not one each). Putting the new value as
//!   `current` and the old as `previous` before the sender switches is what makes a rotation
//!   go without a failed delivery.
//! - **Unreachable store**: with nothing read yet, deliveries are answered 503 with
//!   `Retry-After` (the sender retries), never accepted unverified. Once a value was read, a
//!   failed re-read keeps it (it was valid minutes ago) and tries again 10 s later.
//!
//! The client is the SDK's (GetSecretValue), on the same HTTPS client and configuration as
//! DynamoDB, rather than the Parameters and Secrets Lambda Extension: no layer to pin per
//! region, nothing more to start at cold start, and the same code runs in tests against a
//! loopback stand-in of Secrets Manager's JSON protocol (`SECRETS_MANAGER_ENDPOINT`).

mod cache;
mod inkit_token;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use serde_json::Value;
use webhook_endpoint::{Verifier, VerifierFuture, VerifierSource};
use webhook_verify::SecretSet;

use cache::SecretCache;

pub use inkit_token::{API_TOKEN_MEMBER, InkitApiWithStoredToken};

/// Overrides the Secrets Manager endpoint (a loopback stand-in in tests); unset in AWS.
pub const SECRETS_MANAGER_ENDPOINT_ENV: &str = "SECRETS_MANAGER_ENDPOINT";
/// How long a read secret is used before it is read again, in seconds.
pub const SECRETS_TTL_ENV: &str = "SECRETS_TTL_SECONDS";
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// The least time between two reads made because a delivery failed verification.
pub const DEFAULT_MIN_REFRESH: Duration = Duration::from_secs(30);
/// After a failed re-read, how soon the held value is read again.
pub(crate) const RETRY_AFTER_FAILED_READ: Duration = Duration::from_secs(10);

/// Which part of the secret's JSON holds the secret set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// The whole secret (Rossum, contract.fit).
    Whole,
    /// The member of this name (an Inkit webhook's, by its event type).
    Key(String),
}

/// The secret set a secret's text holds: `{"current", "previous"}` (an empty or missing
/// `previous`: none), or a plain string as the current value. `Ok(None)`: the secret has no
/// current value, which refuses every delivery as not configured (fail closed).
pub fn secret_set(text: &str, part: &Part) -> Result<Option<SecretSet>, String> {
    let parsed = serde_json::from_str::<Value>(text);
    let value = match (&parsed, part) {
        (Ok(Value::Object(_)), _) => parsed.as_ref().ok(),
        (_, Part::Whole) => return Ok(SecretSet::from_values(Some(text), None)),
        (_, Part::Key(key)) => {
            return Err(format!(
                "the secret is not a JSON object with a member {key:?}"
            ));
        }
    };
    let value = match part {
        Part::Whole => value,
        Part::Key(key) => value.and_then(|v| v.get(key)),
    };
    match value {
        None => Ok(None),
        Some(Value::String(current)) => Ok(SecretSet::from_values(Some(current), None)),
        Some(Value::Object(set)) => {
            let text = |name: &str| match set.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.as_str())),
                Some(_) => Err(format!("the secret's {name:?} is not a string")),
            };
            Ok(SecretSet::from_values(text("current")?, text("previous")?))
        }
        Some(_) => {
            Err("the secret's value is neither a string nor {\"current\", \"previous\"}".into())
        }
    }
}

/// Reads one secret's text from Secrets Manager.
#[derive(Clone)]
pub struct SecretsManager {
    client: Arc<tokio::sync::OnceCell<Client>>,
    endpoint: Option<String>,
}

impl SecretsManager {
    pub fn new(client: Client) -> Self {
        Self {
            client: Arc::new(tokio::sync::OnceCell::new_with(Some(client))),
            endpoint: None,
        }
    }

    /// The region's Secrets Manager, or `endpoint` with test credentials in `AWS_REGION`
    /// (default `us-east-1`); HTTPS as for DynamoDB.
    pub async fn connect(endpoint: Option<&str>) -> Self {
        Self::new(Client::new(&dynamodb_support::lambda_sdk_config(endpoint)))
    }

    /// `SECRETS_MANAGER_ENDPOINT` when set, else the region's, configured on the first read
    /// (so it can be made where nothing may wait).
    pub fn from_env() -> Self {
        let endpoint = dynamodb_support::non_empty_env(SECRETS_MANAGER_ENDPOINT_ENV);
        Self {
            client: Arc::new(tokio::sync::OnceCell::new()),
            endpoint,
        }
    }

    async fn client(&self) -> &Client {
        self.client
            .get_or_init(|| async {
                Client::new(&dynamodb_support::lambda_sdk_config(
                    self.endpoint.as_deref(),
                ))
            })
            .await
    }

    /// The secret's current text (`SecretString` of its `AWSCURRENT` version).
    pub async fn read(&self, secret_id: &str) -> Result<String, String> {
        let output = self
            .client()
            .await
            .get_secret_value()
            .secret_id(secret_id)
            .send()
            .await
            .map_err(|e| format!("GetSecretValue of {secret_id}: {}", DisplayErrorContext(&e)))?;
        output
            .secret_string()
            .map(str::to_owned)
            .ok_or_else(|| format!("secret {secret_id} holds no SecretString"))
    }
}

/// How a [`CachedVerifier`] reads and keeps its secret.
#[derive(Debug, Clone)]
pub struct CachePolicy {
    pub ttl: Duration,
    pub min_refresh: Duration,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            ttl: DEFAULT_TTL,
            min_refresh: DEFAULT_MIN_REFRESH,
        }
    }
}

impl CachePolicy {
    /// The TTL of `SECRETS_TTL_SECONDS` (default 300 s); an unreadable value is logged and
    /// the default used.
    pub fn from_env() -> Self {
        let mut policy = Self::default();
        if let Ok(text) = std::env::var(SECRETS_TTL_ENV) {
            match text.trim().parse::<u64>() {
                Ok(seconds) => policy.ttl = Duration::from_secs(seconds),
                Err(_) => tracing::error!(
                    "{SECRETS_TTL_ENV}={text:?} is not a number of seconds; {} s is used",
                    DEFAULT_TTL.as_secs()
                ),
            }
        }
        policy
    }
}

/// An endpoint's verifier with its secret read from Secrets Manager and cached.
pub struct CachedVerifier {
    cache: SecretCache<Option<SecretSet>, Verifier>,
}

impl CachedVerifier {
    /// `template` is the configured verifier: its settings stay, its secrets are replaced by
    /// what is read.
    pub fn new(
        store: SecretsManager,
        secret_id: &str,
        part: Part,
        template: Verifier,
        policy: CachePolicy,
    ) -> Self {
        let id = secret_id.to_owned();
        let build = move |secrets: &Option<SecretSet>| {
            if secrets.is_none() {
                tracing::error!(
                    secret = id,
                    "the secret holds no current value: every delivery is refused"
                );
            }
            Arc::new(template.with_secrets(secrets.clone()))
        };
        let parse = move |text: &str| secret_set(text, &part);
        Self {
            cache: SecretCache::new(store, secret_id, policy, parse, build),
        }
    }

    async fn current_verifier(&self) -> Result<Arc<Verifier>, String> {
        self.cache
            .current()
            .await
            .map_err(|why| format!("the webhook secret cannot be read: {why}"))
    }
}

impl VerifierSource for CachedVerifier {
    fn current(&self) -> VerifierFuture<'_, Result<Arc<Verifier>, String>> {
        Box::pin(self.current_verifier())
    }

    fn refreshed(&self) -> VerifierFuture<'_, Option<Arc<Verifier>>> {
        Box::pin(self.cache.refreshed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(current: &str, previous: Option<&str>) -> Option<SecretSet> {
        SecretSet::from_values(Some(current), previous)
    }

    #[test]
    fn a_secret_is_current_and_previous_or_a_plain_value() {
        let whole = Part::Whole;
        assert_eq!(
            secret_set(r#"{"current": "b", "previous": "a"}"#, &whole),
            Ok(set("b", Some("a")))
        );
        assert_eq!(
            secret_set(r#"{"current": "b", "previous": ""}"#, &whole),
            Ok(set("b", None))
        );
        assert_eq!(
            secret_set(r#"{"current": "b"}"#, &whole),
            Ok(set("b", None))
        );
        assert_eq!(
            secret_set("plain-value", &whole),
            Ok(set("plain-value", None))
        );
        // No current value: not configured, which refuses everything.
        assert_eq!(secret_set(r#"{"previous": "a"}"#, &whole), Ok(None));
        assert_eq!(secret_set(r#"{"current": ""}"#, &whole), Ok(None));
        assert!(secret_set(r#"{"current": 7}"#, &whole).is_err());
    }

    #[test]
    fn an_inkit_webhook_reads_its_own_member() {
        let text = r#"{"DOCUMENT_CREATE_FINISHED": {"current": "f", "previous": "e"},
                       "DOCUMENT_DELETED": "d"}"#;
        let part = |k: &str| Part::Key(k.to_owned());
        assert_eq!(
            secret_set(text, &part("DOCUMENT_CREATE_FINISHED")),
            Ok(set("f", Some("e")))
        );
        assert_eq!(
            secret_set(text, &part("DOCUMENT_DELETED")),
            Ok(set("d", None))
        );
        assert_eq!(secret_set(text, &part("DOCUMENT_CREATE_FAILED")), Ok(None));
        assert!(secret_set("plain", &part("DOCUMENT_DELETED")).is_err());
    }
}
