//! The client against the scripted Inkit stand-in on loopback: a document, a hang, 5xx then
//! success, 429 with `Retry-After`, answers that are not a document, 404, a refused token,
//! and budgets that end retrying in bounded time.

use std::time::{Duration, Instant};

use inkit_client::{ApiToken, InkitApi, InkitClient, InkitConfig, InkitError};
use inkit_stand_in::{InkitStandIn, Reply, STAND_IN_TOKEN};
use serde_json::json;

const DOCUMENT_ID: &str = "doc_2N0X2g4f3b1JJU75fqzDZs";

/// Long enough for loopback, short enough that hangs cost little.
const ATTEMPT: Duration = Duration::from_millis(400);
const DEADLINE: Duration = Duration::from_secs(5);

async fn stand_in() -> (InkitStandIn, InkitClient) {
    stand_in_with(|_| {}).await
}

/// The stand-in and a client of it, configured as [`stand_in`] and then by `configure`.
async fn stand_in_with(configure: impl FnOnce(&mut InkitConfig)) -> (InkitStandIn, InkitClient) {
    let stand_in = InkitStandIn::start().await;
    let mut config = stand_in.config(ATTEMPT, DEADLINE);
    configure(&mut config);
    let client = InkitClient::new(config).unwrap();
    (stand_in, client)
}

/// A client of `base_url` that retries quickly, for servers that refuse every attempt.
fn quickly_retrying_client(base_url: impl Into<String>, token: &str) -> InkitClient {
    let mut config = InkitConfig::new(base_url, ApiToken::new(token));
    config.attempt_timeout = ATTEMPT;
    config.initial_backoff = Duration::from_millis(20);
    InkitClient::new(config).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_is_fetched_with_the_token_in_one_request() {
    let (stand_in, client) = stand_in().await;
    let document = client.document(DOCUMENT_ID).await.unwrap();
    assert_eq!(document.id, DOCUMENT_ID);
    for (field, read, served) in [
        ("name", &document.name, "Welcome letter - Jane Doe"),
        ("status", &document.status, "completed"),
        (
            "render_id",
            &document.render_id,
            "rend_4kXq9r2ZbT0mP1aW8sYcDe",
        ),
        (
            "folder_id",
            &document.folder_id,
            "fold_7Hs3LmQ0vNp2Rt5Uw9XyZa",
        ),
        (
            "created_at",
            &document.created_at,
            "2026-11-20T09:52:41.512Z",
        ),
    ] {
        assert_eq!(read.as_deref(), Some(served), "{field}");
    }
    assert_eq!(
        document.other["page_count"],
        json!(2),
        "unknown fields are kept"
    );
    let received = stand_in.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].method, "GET");
    assert_eq!(received[0].path, format!("/v1/document/{DOCUMENT_ID}"));
    assert!(received[0].authorized);

    // A second fetch reuses the client (and its pooled connection).
    assert!(client.document(DOCUMENT_ID).await.is_ok());
    assert_eq!(stand_in.request_count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_api_is_unavailable_within_the_deadline() {
    let deadline = Duration::from_millis(1500);
    let (stand_in, client) = stand_in_with(|config| config.deadline = deadline).await;
    stand_in.by_default(Reply::Hang);
    let started = Instant::now();
    let error = client.document(DOCUMENT_ID).await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(error, InkitError::Unavailable(_)), "{error}");
    assert!(
        error.to_string().contains("no answer within 400 ms"),
        "{error}"
    );
    assert!(
        took <= deadline + Duration::from_millis(300),
        "took {took:?}"
    );
    assert!(
        stand_in.request_count() >= 2,
        "a timed-out attempt is retried while the deadline allows"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_is_retried_and_the_retry_succeeds() {
    let (stand_in, client) = stand_in().await;
    stand_in
        .then(Reply::Json(500, json!({"error": "Internal Server Error"})))
        .then(Reply::Text(502, "<html>Bad Gateway</html>".to_owned()));
    let document = client.document(DOCUMENT_ID).await.unwrap();
    assert_eq!(document.id, DOCUMENT_ID);
    let received = stand_in.received();
    assert_eq!(received.len(), 3);
    let pause = received[1].at - received[0].at;
    assert!(
        pause >= Duration::from_millis(10),
        "a pause before the retry: {pause:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_end_after_the_last_attempt() {
    let (stand_in, client) = stand_in().await;
    stand_in.by_default(Reply::Json(503, json!({"error": "Service Unavailable"})));
    let error = client.document(DOCUMENT_ID).await.unwrap_err();
    assert_eq!(
        error,
        InkitError::Unavailable("HTTP 503 Service Unavailable (attempt 4 of 4)".to_owned())
    );
    assert_eq!(stand_in.request_count(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limiting_is_retried_after_retry_after() {
    let (stand_in, client) = stand_in().await;
    stand_in.then(Reply::RateLimited {
        retry_after: "1".to_owned(),
    });
    assert_eq!(client.document(DOCUMENT_ID).await.unwrap().id, DOCUMENT_ID);
    let received = stand_in.received();
    assert_eq!(received.len(), 2);
    let waited = received[1].at - received[0].at;
    assert!(
        waited >= Duration::from_millis(950) && waited < Duration::from_secs(3),
        "waited {waited:?} for Retry-After: 1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_retry_after_is_capped_and_never_outlives_the_deadline() {
    // Capped to 1 s: one retry fits in the 2 s deadline, the next does not.
    let (stand_in, client) = stand_in_with(|config| {
        config.deadline = Duration::from_secs(2);
        config.max_retry_after = Duration::from_secs(1);
    })
    .await;
    stand_in.by_default(Reply::RateLimited {
        retry_after: "3600".to_owned(),
    });
    let started = Instant::now();
    let error = client.document(DOCUMENT_ID).await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(error, InkitError::Unavailable(_)), "{error}");
    assert!(error.to_string().contains("429"), "{error}");
    assert_eq!(stand_in.request_count(), 2);
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(2),
        "took {took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_that_are_not_a_document_are_malformed_and_not_retried() {
    let (stand_in, client) = stand_in().await;
    stand_in
        .then(Reply::Text(200, "<html>maintenance</html>".to_owned()))
        .then(Reply::Json(200, json!({"name": "no id"})))
        .then(Reply::Json(200, json!({"id": "doc_someone_else"})))
        .then(Reply::Json(400, json!({"error": "Bad request"})));
    for _ in 0..4 {
        let error = client.document(DOCUMENT_ID).await.unwrap_err();
        assert!(matches!(error, InkitError::Malformed(_)), "{error}");
    }
    assert_eq!(stand_in.request_count(), 4, "one request each");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_inkit_does_not_specify_are_read_leniently_and_the_document_kept() {
    let (stand_in, client) = stand_in().await;
    stand_in.then(Reply::Json(
        200,
        json!({"id": DOCUMENT_ID, "name": "Letter", "created_by": "not an object",
               "created_at": "20/11/2026 09:52", "expire_after_n_views": -1,
               "expire_views_left": 2.5, "expire_at": 0}),
    ));
    let document = client.document(DOCUMENT_ID).await.unwrap();
    assert_eq!(document.name.as_deref(), Some("Letter"));
    assert_eq!(document.created_at.as_deref(), Some("20/11/2026 09:52"));
    assert_eq!(document.created_by, None);
    assert_eq!(
        (document.expire_after_n_views, document.expire_views_left),
        (None, None)
    );
    assert_eq!(document.expire_at.as_deref(), Some("0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_document_is_not_found_at_once() {
    let (stand_in, client) = stand_in().await;
    stand_in.then(Reply::Json(404, json!({"error": "Document not found"})));
    assert_eq!(
        client.document("doc_deleted").await.unwrap_err(),
        InkitError::NotFound
    );
    assert_eq!(stand_in.request_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_unauthorized_and_is_never_in_the_error() {
    let (stand_in, client) =
        stand_in_with(|config| config.api_token = ApiToken::new("a-wrong-api-token")).await;
    let error = client.document(DOCUMENT_ID).await.unwrap_err();
    assert_eq!(error, InkitError::Unauthorized { status: 401 });
    assert_eq!(stand_in.request_count(), 1);
    let shown = format!("{error} {error:?} {client:?}");
    assert!(!shown.contains("a-wrong-api-token"), "{shown}");
    assert!(!shown.contains(STAND_IN_TOKEN), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_nothing_is_asked() {
    let stand_in = InkitStandIn::start().await;
    let client = InkitClient::new(InkitConfig::new(stand_in.base_url(), None)).unwrap();
    assert_eq!(
        client.document(DOCUMENT_ID).await.unwrap_err(),
        InkitError::NotConfigured
    );
    assert_eq!(stand_in.request_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_is_retried_then_unavailable_quickly() {
    // Port 1 on loopback: nothing listens, so each connection is refused at once.
    let client = quickly_retrying_client("http://127.0.0.1:1/v1", "t");
    let started = Instant::now();
    let error = client.document(DOCUMENT_ID).await.unwrap_err();
    assert!(matches!(error, InkitError::Unavailable(_)), "{error}");
    assert!(error.to_string().contains("attempt 4 of 4"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_cannot_leave_the_document_path() {
    let (stand_in, client) = stand_in().await;
    let _ = client.document("../folders/fold_1").await;
    assert_eq!(
        stand_in.received()[0].path,
        "/v1/document/..%2Ffolders%2Ffold_1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_is_spoken_to_an_https_base_url() {
    // The stand-in speaks plain HTTP: a TLS handshake with it fails, and is retried like any
    // connection failure.
    let stand_in = InkitStandIn::start().await;
    let base_url = stand_in.base_url().replace("http://", "https://");
    let client = quickly_retrying_client(base_url, STAND_IN_TOKEN);
    let error = client.document(DOCUMENT_ID).await.unwrap_err();
    assert!(matches!(error, InkitError::Unavailable(_)), "{error}");
    assert_eq!(
        stand_in.request_count(),
        0,
        "no request reached it in clear"
    );
}
