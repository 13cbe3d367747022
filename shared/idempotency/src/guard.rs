use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use webhook_endpoint::{Body, Delivery, Replayed, Response, WebhookError};

use crate::{
    DeliveryKey, IdempotencyStore, LockOutcome, LockRequest, RecordStatus, StoredRecord,
    StoredResponse,
};

/// How long a lock holds: at least the longest `Timeout` of a guarded function in
/// `template.yaml`, so a lock never runs out while its invocation can still be running.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a completed record is replayed: far beyond every sender's retries (Rossum's
/// minutes, contract.fit's 10 attempts 2^n s apart).
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Longest `Retry-After` sent while a key is in progress.
const MAX_RETRY_AFTER_SECS: i64 = 60;

/// Derives the delivery key from a verified body; `None` for a delivery the sender never
/// retries (it runs unguarded); an error is the delivery's answer.
pub type KeyFn = fn(&[u8]) -> Result<Option<DeliveryKey>, WebhookError>;

type GuardedFuture = Pin<Box<dyn Future<Output = Result<Response<Body>, WebhookError>> + Send>>;

/// Runs a function's handler at most once per delivery key (see the crate documentation).
#[derive(Clone)]
pub struct Guard {
    store: Arc<dyn IdempotencyStore>,
    function: &'static str,
    key: KeyFn,
    lock_timeout: Duration,
    retention: Duration,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("function", &self.function)
            .field("lock_timeout", &self.lock_timeout)
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}

/// `handler` behind a [`Guard`] with the default timeouts: the value `Endpoint::new` takes.
pub fn guarded<H, Fut>(
    store: Arc<dyn IdempotencyStore>,
    function: &'static str,
    key: KeyFn,
    handler: H,
) -> impl Fn(Delivery) -> GuardedFuture + Send + Sync + 'static
where
    H: Fn(Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Body>, WebhookError>> + Send + 'static,
{
    Guard::new(store, function, key).wrap(handler)
}

impl Guard {
    pub fn new(store: Arc<dyn IdempotencyStore>, function: &'static str, key: KeyFn) -> Self {
        Self {
            store,
            function,
            key,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            retention: DEFAULT_RETENTION,
        }
    }

    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// `handler` behind this guard.
    pub fn wrap<H, Fut>(
        self,
        handler: H,
    ) -> impl Fn(Delivery) -> GuardedFuture + Send + Sync + 'static
    where
        H: Fn(Delivery) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response<Body>, WebhookError>> + Send + 'static,
    {
        let guard = Arc::new(self);
        let handler = Arc::new(handler);
        move |delivery| {
            let guard = guard.clone();
            let handler = handler.clone();
            Box::pin(async move { guard.run(delivery, |d| handler(d)).await })
        }
    }

    /// Handles one delivery at `now` (epoch ms): the lock, the handler, the stored answer.
    async fn run<Fut>(
        &self,
        delivery: Delivery,
        handler: impl FnOnce(Delivery) -> Fut,
    ) -> Result<Response<Body>, WebhookError>
    where
        Fut: Future<Output = Result<Response<Body>, WebhookError>>,
    {
        let Some(key) = (self.key)(delivery.body())? else {
            return handler(delivery).await;
        };
        let request = self.lock_request(key, now_ms());
        match self.store.lock(&request).await? {
            LockOutcome::Held(record) => return self.answer_held(&request, record),
            LockOutcome::Acquired => {}
        }
        let outcome = handler(delivery).await;
        match &outcome {
            Ok(response) if response.status().is_success() => {
                self.complete(&request, response).await
            }
            _ => self.release(&request).await,
        }
        outcome
    }

    fn lock_request(&self, key: DeliveryKey, now_ms: i64) -> LockRequest {
        LockRequest {
            function: self.function.to_owned(),
            key: key.key,
            validation: key.validation,
            token: lock_token(),
            now_ms,
            lock_expires_at_ms: now_ms.saturating_add(millis(self.lock_timeout)),
            expires_at: (now_ms.saturating_add(millis(self.retention))).div_euclid(1000),
        }
    }

    /// The answer to a delivery whose key a live record holds.
    fn answer_held(
        &self,
        request: &LockRequest,
        record: StoredRecord,
    ) -> Result<Response<Body>, WebhookError> {
        if record.validation != request.validation {
            return Err(WebhookError::IdempotencyKeyReused(request.key.clone()));
        }
        match (record.status, record.response) {
            (RecordStatus::Completed, Some(stored)) => {
                tracing::info!(
                    function = self.function,
                    key = request.key.as_str(),
                    status = stored.status,
                    "replaying the stored answer of an earlier delivery"
                );
                Ok(replay(stored))
            }
            // A completed record without its answer cannot be replayed: treat it as busy.
            _ => {
                let remaining_ms = record.in_progress_expires_at_ms - request.now_ms;
                let seconds = (remaining_ms + 999).div_euclid(1000);
                Err(WebhookError::InProgress {
                    retry_after_secs: seconds.clamp(1, MAX_RETRY_AFTER_SECS) as u64,
                })
            }
        }
    }

    /// Stores a 2xx answer; failing that, frees the key. Either way the handler's answer
    /// stands: its effects are already exactly-once by their own conditional writes.
    async fn complete(&self, request: &LockRequest, response: &Response<Body>) {
        let Some(stored) = storable(response) else {
            tracing::warn!(
                function = self.function,
                key = request.key.as_str(),
                "the answer is not text and cannot be stored; the key is released"
            );
            return self.release(request).await;
        };
        let expires_at = (now_ms().saturating_add(millis(self.retention))).div_euclid(1000);
        match self.store.complete(request, &stored, expires_at).await {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                function = self.function,
                key = request.key.as_str(),
                "the lock ran out before the answer was stored; it was not stored"
            ),
            Err(error) => {
                tracing::error!(
                    function = self.function,
                    key = request.key.as_str(),
                    "storing the answer failed: {error}"
                );
                self.release(request).await;
            }
        }
    }

    /// Frees the key so the sender's retry runs the handler again.
    async fn release(&self, request: &LockRequest) {
        if let Err(error) = self.store.release(request).await {
            tracing::error!(
                function = self.function,
                key = request.key.as_str(),
                "releasing the lock failed (it runs out by itself): {error}"
            );
        }
    }
}

/// The stored form of a response, if its body is text.
fn storable(response: &Response<Body>) -> Option<StoredResponse> {
    let body = match response.body() {
        Body::Empty => String::new(),
        Body::Text(text) => text.clone(),
        Body::Binary(bytes) => String::from_utf8(bytes.clone()).ok()?,
        _ => return None,
    };
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Some(StoredResponse {
        status: response.status().as_u16(),
        body,
        content_type,
    })
}

fn replay(stored: StoredResponse) -> Response<Body> {
    let mut builder = Response::builder()
        .status(stored.status)
        .extension(Replayed);
    if let Some(content_type) = &stored.content_type {
        builder = builder.header("content-type", content_type);
    }
    builder.body(Body::Text(stored.body)).unwrap_or_else(|_| {
        WebhookError::Internal("stored answer is invalid".to_owned()).to_response()
    })
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn now_ms() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    millis(since_epoch)
}

/// A value no other lock attempt uses: a per-process random seed (std's hasher keys), the
/// time and a counter.
fn lock_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!("{:016x}-{nanos:x}", hasher.finish())
}
