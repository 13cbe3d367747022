//! The endpoint with the in-memory records and the Inkit stand-in on loopback (its refusals are
//! the `webhooks` table's): the details fetched once, a hanging or failing Inkit (200 with the
//! event kept and the details pending, completed in the background or given up visibly),
//! 404, malformed answers and a missing token.

use super::common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{
    PendingHandedOver, RESOURCE_ID, SECRET, call_with, client, delivered, document_of, finished,
    inkit_of, signature, stand_in_details,
};
use inkit_client::{InkitApi, InkitConfig};
use inkit_functions::document_create_finished::{BackgroundRetry, DetailsOutcome, RetrySchedule};
use inkit_stand_in::{InkitStandIn, Reply};
use record_store::{InMemoryRecordStore, InkitRecordStore};
use serde_json::json;
use webhook_model::inkit::InkitEventType;

/// New in-memory records, the stand-in and a client of it with short timeouts.
async fn setup() -> (Arc<InMemoryRecordStore>, InkitStandIn, Arc<dyn InkitApi>) {
    let stand_in = InkitStandIn::start().await;
    let inkit = inkit_of(&stand_in);
    (Arc::new(InMemoryRecordStore::new()), stand_in, inkit)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_and_the_documents_details_are_recorded() {
    let (records, stand_in, inkit) = setup().await;
    let body = delivered(records.clone(), inkit).await;
    assert_eq!(
        body,
        json!({"recorded": true, "duplicate": false, "details": "fetched"})
    );
    let events = records.inkit_events(RESOURCE_ID);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, InkitEventType::DocumentCreateFinished);
    let document = document_of(&*records, true).await;
    assert_eq!(document.details, Some(stand_in_details()));
    assert_eq!(document.last_event, InkitEventType::DocumentCreateFinished);
    assert_eq!(
        stand_in.received()[0].path,
        format!("/v1/document/{RESOURCE_ID}")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_twice_records_one_event_and_asks_inkit_once() {
    let (records, stand_in, inkit) = setup().await;
    delivered(records.clone(), inkit.clone()).await;
    assert_eq!(
        delivered(records.clone(), inkit).await,
        json!({"recorded": false, "duplicate": true, "details": "fetched"})
    );
    assert_eq!(records.inkit_event_count(), 1);
    assert_eq!(
        stand_in.request_count(),
        1,
        "complete details are not fetched again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_inkit_is_answered_200_in_bounded_time_and_the_details_are_handed_over() {
    let (records, stand_in, inkit) = setup().await;
    stand_in.by_default(Reply::Hang);
    let pending = Arc::new(PendingHandedOver::default());
    let started = Instant::now();
    let (status, retry_after, body) = call_with(
        records.clone(),
        inkit.clone(),
        pending.clone(),
        &[("inkit-signature", &signature(SECRET, &finished()))],
        &finished(),
    )
    .await;
    // Inkit documents no redelivery: the event is recorded, so the answer is 2xx.
    assert_eq!(status, 200, "{body}");
    assert_eq!(retry_after, None);
    assert_eq!(
        body,
        json!({"recorded": true, "duplicate": false, "details": "pending"})
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(records.inkit_event_count(), 1);
    document_of(&*records, false).await;
    assert_eq!(*pending.0.lock().unwrap(), vec![RESOURCE_ID.to_owned()]);

    // A redelivery, should Inkit send one, completes the details too.
    stand_in.by_default(Reply::Document);
    assert_eq!(
        delivered(records.clone(), inkit).await,
        json!({"recorded": false, "duplicate": true, "details": "fetched"})
    );
    assert_eq!(records.inkit_event_count(), 1);
    let document = document_of(&*records, true).await;
    assert_eq!(document.details, Some(stand_in_details()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inkit_down_longer_than_the_deadline_one_delivery_and_the_details_follow_in_the_background()
{
    let (records, stand_in, inkit) = setup().await;
    stand_in.by_default(Reply::Json(503, json!({"error": "Service Unavailable"})));
    let retry = Arc::new(BackgroundRetry::new(
        records.clone(),
        inkit.clone(),
        RetrySchedule {
            first_pause: Duration::from_millis(200),
            max_pause: Duration::from_millis(400),
            attempts: 50,
        },
    ));
    let headers = [("inkit-signature", signature(SECRET, &finished()))];
    let headers = [(headers[0].0, headers[0].1.as_str())];
    let (status, _, body) = call_with(records.clone(), inkit, retry, &headers, &finished()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["details"], "pending");
    // Down for longer than a whole fetch's deadline, then back.
    tokio::time::sleep(common::DEADLINE * 2).await;
    document_of(&*records, false).await;
    stand_in.by_default(Reply::Document);
    let started = Instant::now();
    loop {
        let document = records.inkit_document(RESOURCE_ID).await.unwrap().unwrap();
        if document.details_fetched {
            assert_eq!(document.details.unwrap().id, RESOURCE_ID);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "details never recorded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        records.inkit_event_count(),
        1,
        "one delivery, no redelivery"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn details_that_never_come_are_given_up_visibly() {
    let (records, stand_in, inkit) = setup().await;
    stand_in.by_default(Reply::Json(503, json!({"error": "Service Unavailable"})));
    assert_eq!(
        delivered(records.clone(), inkit.clone()).await["details"],
        "pending"
    );
    let retry = BackgroundRetry::new(
        records.clone(),
        inkit,
        RetrySchedule {
            first_pause: Duration::from_millis(10),
            max_pause: Duration::from_millis(10),
            attempts: 2,
        },
    );
    assert_eq!(
        retry.run(RESOURCE_ID).await,
        DetailsOutcome::Unavailable("gave_up")
    );
    let document = document_of(&*records, false).await;
    assert_eq!(document.details_unavailable.as_deref(), Some("gave_up"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_then_success_is_retried_within_the_delivery() {
    let (records, stand_in, inkit) = setup().await;
    stand_in.then(Reply::Json(500, json!({"error": "Internal Server Error"})));
    let body = delivered(records.clone(), inkit).await;
    assert_eq!(body["details"], "fetched");
    assert_eq!(stand_in.request_count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limiting_is_waited_out_as_retry_after_asks() {
    let (records, stand_in, _) = setup().await;
    stand_in.then(Reply::RateLimited {
        retry_after: "1".to_owned(),
    });
    let inkit = client(stand_in.config(Duration::from_millis(300), Duration::from_secs(5)));
    delivered(records.clone(), inkit).await;
    let received = stand_in.received();
    assert_eq!(received.len(), 2);
    assert!(received[1].at - received[0].at >= Duration::from_millis(950));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inkit_that_stays_down_is_200_with_the_event_kept_and_the_details_pending() {
    let (records, stand_in, inkit) = setup().await;
    stand_in.by_default(Reply::Json(503, json!({"error": "Service Unavailable"})));
    let body = delivered(records.clone(), inkit).await;
    assert_eq!(body["details"], "pending");
    assert_eq!(records.inkit_event_count(), 1);
    assert!(stand_in.request_count() > 1, "retried before handing over");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_inkit_does_not_know_is_acknowledged_and_marked() {
    let (records, stand_in, inkit) = setup().await;
    stand_in.by_default(Reply::Json(404, json!({"error": "Not found"})));
    assert_eq!(
        delivered(records.clone(), inkit).await,
        json!({"recorded": true, "duplicate": false, "details": "not_found"})
    );
    assert_eq!(stand_in.request_count(), 1, "a 404 is not retried");
    let document = document_of(&*records, false).await;
    assert_eq!(document.details_unavailable.as_deref(), Some("not_found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_is_not_a_document_is_acknowledged_and_marked() {
    let (records, stand_in, inkit) = setup().await;
    stand_in.by_default(Reply::Text(200, "<html>maintenance</html>".to_owned()));
    let body = delivered(records.clone(), inkit).await;
    assert_eq!(body["details"], "malformed");
    let document = document_of(&*records, false).await;
    assert_eq!(document.details_unavailable.as_deref(), Some("malformed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_api_token_the_event_is_recorded_alone() {
    let (records, stand_in, _) = setup().await;
    let inkit = client(InkitConfig::new(stand_in.base_url(), None));
    for duplicate in [false, true] {
        assert_eq!(
            delivered(records.clone(), inkit.clone()).await,
            json!({"recorded": !duplicate, "duplicate": duplicate, "details": "not_configured"}),
            "duplicate: {duplicate}"
        );
    }
    assert_eq!(records.inkit_event_count(), 1);
    assert_eq!(stand_in.request_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_api_token_leaves_the_details_pending_until_it_is_fixed() {
    let (records, stand_in, _) = setup().await;
    let mut config = stand_in.config(common::ATTEMPT_TIMEOUT, common::DEADLINE);
    config.api_token = inkit_client::ApiToken::new("revoked-token");
    let body = delivered(records.clone(), client(config)).await;
    assert_eq!(body["details"], "pending");
    assert!(!body.to_string().contains("revoked-token"));
    assert_eq!(records.inkit_event_count(), 1);
}
