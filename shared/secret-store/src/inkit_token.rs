//! The Inkit API token read at run time: the `api_token` member of the Inkit secret, cached
//! with the same TTL as the webhook keys, and read once more (rate-limited) when Inkit
//! refuses it, so a rotated token is used within minutes without a redeploy.

use std::sync::Arc;
use std::time::Instant;

use inkit_client::{
    ApiToken, Document, InkitApi, InkitClient, InkitConfig, InkitError, InkitFuture,
};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::{CachePolicy, RETRY_AFTER_FAILED_READ, SecretsManager};

/// The member of the Inkit secret holding the API token.
pub const API_TOKEN_MEMBER: &str = "api_token";

struct Held {
    token: Option<String>,
    client: Arc<dyn InkitApi>,
    stale_at: Instant,
}

#[derive(Default)]
struct State {
    held: Option<Held>,
    last_refresh: Option<Instant>,
}

/// An [`InkitApi`] whose token is read from Secrets Manager.
pub struct InkitApiWithStoredToken {
    store: SecretsManager,
    secret_id: String,
    /// The configured client settings; the token is replaced by what is read.
    config: InkitConfig,
    policy: CachePolicy,
    state: Mutex<State>,
}

impl InkitApiWithStoredToken {
    pub fn new(
        store: SecretsManager,
        secret_id: &str,
        config: InkitConfig,
        policy: CachePolicy,
    ) -> Self {
        Self {
            store,
            secret_id: secret_id.to_owned(),
            config,
            policy,
            state: Mutex::new(State::default()),
        }
    }

    async fn read(&self) -> Result<Option<String>, String> {
        let text = self.store.read(&self.secret_id).await?;
        let secret: Value = serde_json::from_str(&text)
            .map_err(|_| format!("secret {} is not a JSON object", self.secret_id))?;
        match secret.get(API_TOKEN_MEMBER) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(token)) => Ok(Some(token.clone()).filter(|t| !t.trim().is_empty())),
            Some(_) => Err(format!(
                "secret {}: {API_TOKEN_MEMBER:?} is not a string",
                self.secret_id
            )),
        }
    }

    fn client_for(&self, token: Option<&str>) -> Arc<dyn InkitApi> {
        let mut config = self.config.clone();
        config.api_token = token.and_then(ApiToken::new);
        match InkitClient::new(config) {
            Ok(client) => Arc::new(client),
            Err(error) => Arc::new(inkit_client::MisconfiguredInkitApi::new(error.to_string())),
        }
    }

    fn hold(&self, state: &mut State, token: Option<String>) -> Arc<dyn InkitApi> {
        if token.is_none() {
            tracing::warn!(
                secret = self.secret_id,
                "the Inkit secret holds no api_token: details are not fetched"
            );
        }
        let client = self.client_for(token.as_deref());
        state.held = Some(Held {
            token,
            client: client.clone(),
            stale_at: Instant::now() + self.policy.ttl,
        });
        client
    }

    async fn client(&self) -> Result<Arc<dyn InkitApi>, InkitError> {
        let mut state = self.state.lock().await;
        if let Some(held) = &state.held
            && Instant::now() < held.stale_at
        {
            return Ok(held.client.clone());
        }
        match self.read().await {
            Ok(token) => Ok(self.hold(&mut state, token)),
            Err(why) => match &mut state.held {
                Some(held) => {
                    tracing::warn!(
                        secret = self.secret_id,
                        "the Inkit API token could not be read again, the one read before is kept: {why}"
                    );
                    held.stale_at = Instant::now() + RETRY_AFTER_FAILED_READ;
                    Ok(held.client.clone())
                }
                // Worth trying again later: the delivery's details stay pending.
                None => Err(InkitError::Unavailable(format!(
                    "the Inkit API token cannot be read: {why}"
                ))),
            },
        }
    }

    /// After Inkit refused the token: a client with a newer one, if the store has one.
    async fn refreshed(&self) -> Option<Arc<dyn InkitApi>> {
        let mut state = self.state.lock().await;
        let now = Instant::now();
        if state
            .last_refresh
            .is_some_and(|at| now.duration_since(at) < self.policy.min_refresh)
        {
            return None;
        }
        state.last_refresh = Some(now);
        let token = self.read().await.ok()?;
        let unchanged = state.held.as_ref().is_some_and(|h| h.token == token);
        let client = self.hold(&mut state, token);
        (!unchanged).then_some(client)
    }

    async fn fetch(&self, document_id: &str) -> Result<Document, InkitError> {
        let client = self.client().await?;
        match client.document(document_id).await {
            Err(InkitError::Unauthorized { status }) => match self.refreshed().await {
                Some(newer) => newer.document(document_id).await,
                None => Err(InkitError::Unauthorized { status }),
            },
            other => other,
        }
    }
}

impl InkitApi for InkitApiWithStoredToken {
    fn document<'a>(&'a self, document_id: &'a str) -> InkitFuture<'a, Document> {
        Box::pin(self.fetch(document_id))
    }
}
