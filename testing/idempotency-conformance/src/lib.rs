//! The behaviour every [`IdempotencyStore`] must show behind a [`Guard`], written once and
//! run by the tests of each store. Each check takes a store (it may
//! hold other records: every check uses keys of its own) and panics on a failure.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use webhook_endpoint::{Body, Endpoint, Response, Verifier, WebhookError, json_response};
use webhook_verify::{InkitVerifier, SecretSet, hmac_sha256};

use idempotency::{
    DEFAULT_LOCK_TIMEOUT, IdempotencyStore, LockOutcome, LockRequest, StoredResponse, guarded,
    inkit_key,
};

/// The Inkit secret the test endpoints verify with.
pub const SECRET: &str = "idempotency-secret-under-test";
/// The function name the test endpoints' records are kept under.
pub const FUNCTION: &str = "idempotency-under-test";
const ROUTE: &str = "/idempotency-under-test";

/// An answer: status, `Retry-After`, JSON body.
pub type Answer = (u16, Option<String>, Value);

/// An Inkit body for a resource id no other check (or earlier run) uses.
pub fn unique_body(label: &str) -> Vec<u8> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let resource_id = format!(
        "{label}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    serde_json::to_vec(&json!({"event_type": "DOCUMENT_DELETED", "resource_id": resource_id}))
        .unwrap()
}

/// A guarded endpoint whose handler counts its runs in `runs` and answers
/// `answer(run number)`.
pub fn counting_endpoint(
    store: Arc<dyn IdempotencyStore>,
    runs: Arc<AtomicUsize>,
    answer: fn(usize) -> Result<Response<Body>, WebhookError>,
) -> Endpoint {
    let verifier = Verifier::Inkit(InkitVerifier::new(SecretSet::from_values(
        Some(SECRET),
        None,
    )));
    let handler = move |_delivery| {
        let run = runs.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            // Keeps the lock held a while, so concurrent deliveries meet it.
            tokio::time::sleep(Duration::from_millis(50)).await;
            answer(run)
        }
    };
    Endpoint::new(
        FUNCTION,
        ROUTE,
        verifier,
        guarded(store, FUNCTION, inkit_key, handler),
    )
}

/// A 200 naming the run that produced it.
pub fn ok_answer(run: usize) -> Result<Response<Body>, WebhookError> {
    Ok(json_response(200, &json!({"recorded": true, "run": run})))
}

/// Calls `endpoint` with `body` signed with [`SECRET`].
pub async fn deliver(endpoint: &Endpoint, body: &[u8]) -> Answer {
    let signature = hex(&hmac_sha256(SECRET.as_bytes(), body));
    let request = http::Request::builder()
        .method("POST")
        .uri(ROUTE)
        .header("inkit-signature", signature)
        .body(Body::Binary(body.to_vec()))
        .unwrap();
    let response = endpoint.handle(request).await;
    assert_eq!(response.headers()["content-type"], "application/json");
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = serde_json::from_slice(response.body()).expect("every answer is JSON");
    (response.status().as_u16(), retry_after, body)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn assert_in_progress(answer: &Answer) {
    let (status, retry_after, body) = answer;
    assert_eq!(*status, 429, "{body}");
    assert_eq!(body["error"], "in_progress", "{body}");
    let seconds: u64 = retry_after
        .as_deref()
        .expect("429 carries Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&seconds), "Retry-After {seconds}");
}

/// A lock request for `body`'s key at `now_ms`, as the guard would make one.
fn lock_request(body: &[u8], now_ms: i64, token: &str) -> LockRequest {
    let key = inkit_key(body).unwrap().unwrap();
    LockRequest {
        function: FUNCTION.to_owned(),
        key: key.key,
        validation: key.validation,
        token: token.to_owned(),
        now_ms,
        lock_expires_at_ms: now_ms + DEFAULT_LOCK_TIMEOUT.as_millis() as i64,
        expires_at: now_ms / 1000 + 24 * 60 * 60,
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// 50 concurrent deliveries of one event run the handler once; each is answered with its
/// answer or 429, and a later delivery gets the stored answer, identical.
pub async fn concurrent_deliveries_run_once(store: Arc<dyn IdempotencyStore>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let endpoint = counting_endpoint(store, runs.clone(), ok_answer);
    let body = Arc::new(unique_body("concurrent"));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (endpoint, body) = (endpoint.clone(), body.clone());
            tokio::spawn(async move { deliver(&endpoint, &body).await })
        })
        .collect();
    let mut answered = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        if answer.0 == 200 {
            assert_eq!(answer.2, json!({"recorded": true, "run": 1}));
            answered += 1;
        } else {
            assert_in_progress(&answer);
        }
    }
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "the handler ran exactly once"
    );
    assert!(answered >= 1, "the delivery that ran was answered 200");

    let later = deliver(&endpoint, &body).await;
    assert_eq!(
        (later.0, later.2),
        (200, json!({"recorded": true, "run": 1}))
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1, "a replay runs nothing");
}

/// A delivery answered 503 frees its key: the retry runs, and its answer is the stored one.
pub async fn a_failed_delivery_runs_again_on_retry(store: Arc<dyn IdempotencyStore>) {
    fn fail_once(run: usize) -> Result<Response<Body>, WebhookError> {
        match run {
            1 => Err(WebhookError::Unavailable(
                "the records table is down".to_owned(),
            )),
            _ => ok_answer(run),
        }
    }
    let runs = Arc::new(AtomicUsize::new(0));
    let endpoint = counting_endpoint(store, runs.clone(), fail_once);
    let body = unique_body("retry");

    let (status, retry_after, error) = deliver(&endpoint, &body).await;
    assert_eq!(status, 503, "{error}");
    assert_eq!(retry_after.as_deref(), Some("5"));
    let retried = deliver(&endpoint, &body).await;
    assert_eq!(
        (retried.0, &retried.2),
        (200, &json!({"recorded": true, "run": 2}))
    );
    let again = deliver(&endpoint, &body).await;
    assert_eq!(again, retried, "the retry's answer is stored and replayed");
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

/// A live in-progress lock answers 429 without running; expired records (a lock that ran
/// out, a completed record past its expiry) are taken over and the handler runs.
pub async fn expired_records_are_retaken(store: Arc<dyn IdempotencyStore>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let endpoint = counting_endpoint(store.clone(), runs.clone(), ok_answer);
    let now = now_ms();

    let live = unique_body("live");
    let held = store
        .lock(&lock_request(&live, now, "other"))
        .await
        .unwrap();
    assert_eq!(held, LockOutcome::Acquired);
    assert_in_progress(&deliver(&endpoint, &live).await);
    assert_eq!(
        runs.load(Ordering::SeqCst),
        0,
        "nothing runs while the key is held"
    );

    // Locked two minutes ago by an invocation that never finished.
    let abandoned = unique_body("abandoned");
    let mut old_lock = lock_request(&abandoned, now - 120_000, "crashed");
    old_lock.lock_expires_at_ms = now - 60_000;
    assert_eq!(store.lock(&old_lock).await.unwrap(), LockOutcome::Acquired);
    let answer = deliver(&endpoint, &abandoned).await;
    assert_eq!(
        (answer.0, answer.2),
        (200, json!({"recorded": true, "run": 1}))
    );

    // Completed long ago, expired but not yet deleted.
    let stale = unique_body("stale");
    let old_lock = lock_request(&stale, now - 8 * 24 * 3_600_000, "earlier");
    assert_eq!(store.lock(&old_lock).await.unwrap(), LockOutcome::Acquired);
    let old_answer = StoredResponse {
        status: 200,
        body: r#"{"old":true}"#.to_owned(),
        content_type: Some("application/json".to_owned()),
    };
    let completed = store
        .complete(&old_lock, &old_answer, now / 1000 - 3600)
        .await
        .unwrap();
    assert!(completed, "the lock's own token completes it");
    let answer = deliver(&endpoint, &stale).await;
    assert_eq!(
        (answer.0, answer.2),
        (200, json!({"recorded": true, "run": 2}))
    );
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

/// The same key with another body is 409 and runs nothing.
pub async fn a_reused_key_with_another_body_is_409(store: Arc<dyn IdempotencyStore>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let endpoint = counting_endpoint(store, runs.clone(), ok_answer);
    let body = unique_body("reused");
    assert_eq!(deliver(&endpoint, &body).await.0, 200);

    let mut other: Value = serde_json::from_slice(&body).unwrap();
    other["note"] = json!("a different body under the same event and resource");
    let (status, _, error) = deliver(&endpoint, &serde_json::to_vec(&other).unwrap()).await;
    assert_eq!(status, 409, "{error}");
    assert_eq!(error["error"], "idempotency_key_reused");
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "nothing ran for the reused key"
    );
}

/// A lock is completed or released only with the token that took it.
pub async fn only_the_lock_holder_completes_or_releases(store: Arc<dyn IdempotencyStore>) {
    let body = unique_body("holder");
    let ours = lock_request(&body, now_ms(), "ours");
    assert_eq!(store.lock(&ours).await.unwrap(), LockOutcome::Acquired);
    let theirs = LockRequest {
        token: "theirs".to_owned(),
        ..ours.clone()
    };
    let answer = StoredResponse {
        status: 200,
        body: "{}".to_owned(),
        content_type: None,
    };
    assert!(!store.release(&theirs).await.unwrap());
    assert!(
        !store
            .complete(&theirs, &answer, ours.expires_at)
            .await
            .unwrap()
    );
    match store.lock(&theirs).await.unwrap() {
        LockOutcome::Held(record) => assert_eq!(record.token, "ours"),
        LockOutcome::Acquired => panic!("a live lock was taken over"),
    }
    assert!(store.release(&ours).await.unwrap());
    assert_eq!(store.lock(&theirs).await.unwrap(), LockOutcome::Acquired);
}

/// Every check above, one after the other, on one store.
pub async fn all(store: Arc<dyn IdempotencyStore>) {
    concurrent_deliveries_run_once(store.clone()).await;
    a_failed_delivery_runs_again_on_retry(store.clone()).await;
    expired_records_are_retaken(store.clone()).await;
    a_reused_key_with_another_body_is_409(store.clone()).await;
    only_the_lock_holder_completes_or_releases(store).await;
}

/// Declares one `#[tokio::test]` per check above, named as the check, each on a store of its
/// own: `|label| store` makes it (`label` is the check's name, for a table name) and `|store|
/// finish`, if given, runs after the check (to drop a table). `store` is an `Arc` of an
/// [`IdempotencyStore`]; the calling crate needs `tokio` with `macros` and `rt-multi-thread`.
///
/// ```ignore
/// idempotency_conformance::conformance_tests!(|_label| Arc::new(InMemoryIdempotencyStore::new()));
/// ```
#[macro_export]
macro_rules! conformance_tests {
    (|$label:ident| $store:expr $(,)?) => {
        $crate::conformance_tests!(|$label| $store, |_store| ());
    };
    (|$label:ident| $store:expr, |$finished:ident| $finish:expr $(,)?) => {
        $crate::conformance_tests!(@checks |$label| $store, |$finished| $finish;
            concurrent_deliveries_run_once
            a_failed_delivery_runs_again_on_retry
            expired_records_are_retaken
            a_reused_key_with_another_body_is_409
            only_the_lock_holder_completes_or_releases
        );
    };
    (@checks |$label:ident| $store:expr, |$finished:ident| $finish:expr; $($check:ident)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $check() {
            let $label = stringify!($check);
            let store = $store;
            $crate::$check(store.clone()).await;
            let $finished = store;
            $finish;
        }
    )*};
}
