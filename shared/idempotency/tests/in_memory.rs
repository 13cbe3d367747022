//! The guard's behaviour on the in-memory store (the DynamoDB store runs the same checks in
//! `record-store`), and what it answers when its store is down.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use idempotency::{
    IdempotencyStore, InMemoryIdempotencyStore, LockOutcome, LockRequest, StoreFuture,
    StoredResponse, idempotency_unavailable,
};
use idempotency_conformance::{
    conformance_tests, counting_endpoint, deliver, ok_answer, unique_body,
};

fn store() -> Arc<dyn IdempotencyStore> {
    Arc::new(InMemoryIdempotencyStore::new())
}

// The checks every store passes, one test each.
conformance_tests!(|_label| store());

/// A store whose every call fails, as DynamoDB does when unreachable.
struct DownStore;

impl IdempotencyStore for DownStore {
    fn lock<'a>(&'a self, _request: &'a LockRequest) -> StoreFuture<'a, LockOutcome> {
        Box::pin(async { Err(idempotency_unavailable("unreachable")) })
    }

    fn complete<'a>(
        &'a self,
        _request: &'a LockRequest,
        _response: &'a StoredResponse,
        _expires_at: i64,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async { Err(idempotency_unavailable("unreachable")) })
    }

    fn release<'a>(&'a self, _request: &'a LockRequest) -> StoreFuture<'a, bool> {
        Box::pin(async { Err(idempotency_unavailable("unreachable")) })
    }
}

#[tokio::test]
async fn an_unreachable_store_is_503_and_nothing_runs() {
    let runs = Arc::new(AtomicUsize::new(0));
    let endpoint = counting_endpoint(Arc::new(DownStore), runs.clone(), ok_answer);
    let (status, retry_after, body) = deliver(&endpoint, &unique_body("down")).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable");
    assert_eq!(retry_after.as_deref(), Some("5"));
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_body_without_its_key_is_400_and_nothing_runs() {
    let runs = Arc::new(AtomicUsize::new(0));
    let endpoint = counting_endpoint(store(), runs.clone(), ok_answer);
    let (status, _, body) = deliver(&endpoint, br#"{"event_type": "DOCUMENT_DELETED"}"#).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "malformed_body");
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}
