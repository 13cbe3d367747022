//! The Inkit API token read at run time: the `api_token` member of the Inkit secret, cached
//! with the same TTL as the webhook keys, and read once more (rate-limited) when Inkit
//! refuses it, so a rotated token is used within minutes without a redeploy.

use std::sync::Arc;

use inkit_client::{
    ApiToken, Document, InkitApi, InkitClient, InkitConfig, InkitError, InkitFuture,
};
use serde_json::Value;

use crate::cache::SecretCache;
use crate::{CachePolicy, SecretsManager};

/// The member of the Inkit secret holding the API token.
pub const API_TOKEN_MEMBER: &str = "api_token";

/// An [`InkitApi`] whose token is read from Secrets Manager.
pub struct InkitApiWithStoredToken {
    cache: SecretCache<Option<String>, dyn InkitApi>,
}

impl InkitApiWithStoredToken {
    /// `config` holds the configured client settings; the token is replaced by what is read.
    pub fn new(
        store: SecretsManager,
        secret_id: &str,
        config: InkitConfig,
        policy: CachePolicy,
    ) -> Self {
        let id = secret_id.to_owned();
        let build = move |token: &Option<String>| -> Arc<dyn InkitApi> {
            if token.is_none() {
                tracing::warn!(
                    secret = id,
                    "the Inkit secret holds no api_token: details are not fetched"
                );
            }
            let mut config = config.clone();
            config.api_token = token.as_deref().and_then(ApiToken::new);
            match InkitClient::new(config) {
                Ok(client) => Arc::new(client),
                Err(error) => Arc::new(inkit_client::MisconfiguredInkitApi::new(error.to_string())),
            }
        };
        Self {
            cache: SecretCache::new(store, secret_id, policy, api_token, build),
        }
    }

    async fn fetch(&self, document_id: &str) -> Result<Document, InkitError> {
        let client = self.cache.current().await.map_err(|why| {
            // Worth trying again later: the delivery's details stay pending.
            InkitError::Unavailable(format!("the Inkit API token cannot be read: {why}"))
        })?;
        match client.document(document_id).await {
            Err(InkitError::Unauthorized { status }) => match self.cache.refreshed().await {
                Some(newer) => newer.document(document_id).await,
                None => Err(InkitError::Unauthorized { status }),
            },
            other => other,
        }
    }
}

/// The token a secret's text holds under [`API_TOKEN_MEMBER`] (absent or blank: none).
fn api_token(text: &str) -> Result<Option<String>, String> {
    let secret: Value =
        serde_json::from_str(text).map_err(|_| "the secret is not a JSON object".to_owned())?;
    match secret.get(API_TOKEN_MEMBER) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(token)) => Ok(Some(token.clone()).filter(|t| !t.trim().is_empty())),
        Some(_) => Err(format!("{API_TOKEN_MEMBER:?} is not a string")),
    }
}

impl InkitApi for InkitApiWithStoredToken {
    fn document<'a>(&'a self, document_id: &'a str) -> InkitFuture<'a, Document> {
        Box::pin(self.fetch(document_id))
    }
}
