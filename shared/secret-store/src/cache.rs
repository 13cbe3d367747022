//! What is made from one secret (a verifier, an API client), kept for the TTL, made again
//! from a new read after it, and read again on demand at most once per `min_refresh`.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Mutex;

use crate::{CachePolicy, RETRY_AFTER_FAILED_READ, SecretsManager};

type Parse<P> = dyn Fn(&str) -> Result<P, String> + Send + Sync;
type Build<P, V> = dyn Fn(&P) -> Arc<V> + Send + Sync;

struct Held<P, V: ?Sized> {
    /// What the secret's text said, to tell a changed secret from the same one.
    parsed: P,
    built: Arc<V>,
    /// When it is to be read again.
    stale_at: Instant,
}

struct State<P, V: ?Sized> {
    held: Option<Held<P, V>>,
    last_refresh: Option<Instant>,
}

pub(crate) struct SecretCache<P, V: ?Sized> {
    store: SecretsManager,
    pub(crate) secret_id: String,
    policy: CachePolicy,
    parse: Box<Parse<P>>,
    build: Box<Build<P, V>>,
    state: Mutex<State<P, V>>,
}

impl<P: PartialEq, V: ?Sized> SecretCache<P, V> {
    pub(crate) fn new(
        store: SecretsManager,
        secret_id: &str,
        policy: CachePolicy,
        parse: impl Fn(&str) -> Result<P, String> + Send + Sync + 'static,
        build: impl Fn(&P) -> Arc<V> + Send + Sync + 'static,
    ) -> Self {
        Self {
            store,
            secret_id: secret_id.to_owned(),
            policy,
            parse: Box::new(parse),
            build: Box::new(build),
            state: Mutex::new(State {
                held: None,
                last_refresh: None,
            }),
        }
    }

    async fn read(&self) -> Result<P, String> {
        let text = self.store.read(&self.secret_id).await?;
        (self.parse)(&text).map_err(|e| format!("secret {}: {e}", self.secret_id))
    }

    fn hold(&self, state: &mut State<P, V>, parsed: P) -> Arc<V> {
        let built = (self.build)(&parsed);
        state.held = Some(Held {
            parsed,
            built: built.clone(),
            stale_at: Instant::now() + self.policy.ttl,
        });
        built
    }

    /// What the secret makes now: held within the TTL, else read again. A failed re-read
    /// keeps what was held (it was valid minutes ago) and tries again 10 s later; with
    /// nothing held, the failure is the answer.
    pub(crate) async fn current(&self) -> Result<Arc<V>, String> {
        let mut state = self.state.lock().await;
        if let Some(held) = &state.held
            && Instant::now() < held.stale_at
        {
            return Ok(held.built.clone());
        }
        match self.read().await {
            Ok(parsed) => Ok(self.hold(&mut state, parsed)),
            Err(why) => match &mut state.held {
                Some(held) => {
                    tracing::warn!(
                        secret = self.secret_id,
                        "the secret could not be read again, the value read before is kept: {why}"
                    );
                    held.stale_at = Instant::now() + RETRY_AFTER_FAILED_READ;
                    Ok(held.built.clone())
                }
                None => {
                    tracing::error!(secret = self.secret_id, "the secret cannot be read: {why}");
                    Err(why)
                }
            },
        }
    }

    /// After what was held was refused: what a newer secret makes, if the store holds a
    /// changed one and was not asked within `min_refresh`; else `None`.
    pub(crate) async fn refreshed(&self) -> Option<Arc<V>> {
        let mut state = self.state.lock().await;
        let now = Instant::now();
        if state
            .last_refresh
            .is_some_and(|at| now.duration_since(at) < self.policy.min_refresh)
        {
            return None;
        }
        state.last_refresh = Some(now);
        match self.read().await {
            Ok(parsed) => {
                let unchanged = state.held.as_ref().is_some_and(|h| h.parsed == parsed);
                let built = self.hold(&mut state, parsed);
                if unchanged {
                    return None;
                }
                tracing::info!(
                    secret = self.secret_id,
                    "the secret changed: the new value is used"
                );
                Some(built)
            }
            Err(why) => {
                tracing::warn!(
                    secret = self.secret_id,
                    "the secret could not be read again: {why}"
                );
                None
            }
        }
    }
}
