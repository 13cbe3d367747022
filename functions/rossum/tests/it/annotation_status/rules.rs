//! What a status event records, on the real-shaped sample payload.

use super::common;

use common::{ANNOTATION_ID, status_payload};
use record_store::{InMemoryRecordStore, StatusChange, Timestamp, UnavailableRecordStore};
use rossum_functions::annotation_status::{
    AnnotationStatusEvent, StatusResponse, respond, status_change,
};
use serde_json::{Value, json};
use webhook_endpoint::WebhookError;

fn event(payload: Value) -> AnnotationStatusEvent {
    serde_json::from_value(payload).expect("the payload parses")
}

/// The sample with another status, time and delivery.
fn transition(
    previous: Option<&str>,
    status: &str,
    at: &str,
    request_id: &str,
) -> AnnotationStatusEvent {
    let mut payload = status_payload();
    payload["annotation"]["previous_status"] = json!(previous);
    payload["annotation"]["status"] = json!(status);
    payload["timestamp"] = json!(at);
    payload["request_id"] = json!(request_id);
    event(payload)
}

#[test]
fn the_sample_is_the_transition_to_exported() {
    let change = status_change(&event(status_payload())).unwrap();
    assert_eq!(
        change,
        StatusChange {
            annotation_id: ANNOTATION_ID,
            queue: Some("https://example.rossum.app/api/v1/queues/24710".to_owned()),
            previous_status: Some("exporting".to_owned()),
            status: "exported".to_owned(),
            changed_at: Timestamp::parse("2026-11-20T09:52:47.530911Z").unwrap(),
            request_id: "e2a9c4f7-18b3-4d6e-a5f0-7c3b9d1e6a28".to_owned(),
            transition: change.transition.clone(),
        }
    );
    assert_eq!(change.transition.len(), 32);
}

#[test]
fn a_retry_with_a_new_request_id_and_time_is_the_same_transition_and_a_later_one_is_not() {
    let first = status_change(&event(status_payload())).unwrap();
    let mut retry = status_payload();
    retry["request_id"] = json!("5b1e0c3d-retry-with-a-new-id");
    retry["timestamp"] = json!("2026-11-20T09:53:17.9Z");
    retry["rossum_authorization_token"] = json!("another-token");
    let retry = status_change(&event(retry)).unwrap();
    assert_eq!(retry.transition, first.transition);
    assert_ne!(retry.request_id, first.request_id);

    // The same statuses again later: Rossum's annotation carries other times.
    let mut later = status_payload();
    later["annotation"]["modified_at"] = json!("2026-11-21T08:00:00.000000Z");
    let later = status_change(&event(later)).unwrap();
    assert_ne!(later.transition, first.transition);
}

#[test]
fn a_first_status_has_no_previous_one_and_a_queue_may_be_an_id() {
    let mut payload = status_payload();
    payload["annotation"]["previous_status"] = Value::Null;
    payload["annotation"]["status"] = json!("importing");
    payload["annotation"]["queue"] = json!(24710);
    let change = status_change(&event(payload)).unwrap();
    assert_eq!(change.previous_status, None);
    assert_eq!(change.queue.as_deref(), Some("24710"));
}

#[test]
fn what_cannot_be_recorded_is_named() {
    for (edit, expected) in [
        (
            (|p: &mut Value| {
                p["annotation"].as_object_mut().unwrap().remove("id");
            }) as fn(&mut Value),
            "annotation.id",
        ),
        (
            |p| p["annotation"]["status"] = json!(""),
            "annotation.status",
        ),
        (|p| p["timestamp"] = json!("yesterday"), "timestamp"),
        (
            |p| {
                p.as_object_mut().unwrap().remove("timestamp");
            },
            "timestamp",
        ),
        (|p| p["request_id"] = json!(" "), "request_id"),
    ] {
        let mut payload = status_payload();
        edit(&mut payload);
        let error = status_change(&event(payload)).unwrap_err();
        assert!(error.contains(expected), "{error}");
    }
}

#[tokio::test]
async fn transitions_are_recorded_once_and_late_ones_do_not_become_latest() {
    let store = InMemoryRecordStore::new();
    let exported = event(status_payload());
    let exporting = transition(
        Some("confirmed"),
        "exporting",
        "2026-11-20T09:52:44.2Z",
        "b7d41e09-5c2a-4f3e-9a86-0e4f7c1d2b93",
    );
    let recorded = |latest| StatusResponse {
        recorded: true,
        latest: Some(latest),
        duplicate: None,
    };
    assert_eq!(respond(&exported, &store).await.unwrap(), recorded(true));
    assert_eq!(
        respond(&exported, &store).await.unwrap(),
        StatusResponse {
            recorded: false,
            latest: None,
            duplicate: Some(true)
        }
    );
    assert_eq!(respond(&exporting, &store).await.unwrap(), recorded(false));
    assert_eq!(
        store.latest_status(ANNOTATION_ID).unwrap().status,
        "exported"
    );
    let history: Vec<String> = store
        .status_history(ANNOTATION_ID)
        .into_iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(history, ["exporting", "exported"]);
}

#[tokio::test]
async fn a_store_failure_is_unavailable() {
    let down = UnavailableRecordStore::new("connection refused");
    let error = respond(&event(status_payload()), &down).await.unwrap_err();
    assert!(matches!(error, WebhookError::Unavailable(_)), "{error}");
}
