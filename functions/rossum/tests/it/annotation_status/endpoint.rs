//! The whole request path as the Lambda and the local server run it: signed status
//! deliveries and the refusals only this hook gives (the ones every hook gives are `hooks`').

use super::common;

use std::sync::Arc;

use common::{ANNOTATION_ID, SAMPLE, bytes, signed, status_payload};
use record_store::InMemoryRecordStore;
use serde_json::json;

use crate::support::assert_refused;

#[tokio::test]
async fn a_signed_change_is_recorded_and_its_redelivery_is_a_duplicate() {
    let store = Arc::new(InMemoryRecordStore::new());
    let (status, body) = signed(store.clone(), SAMPLE).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"recorded": true, "latest": true}));

    let (status, body) = signed(store.clone(), SAMPLE).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"recorded": false, "duplicate": true}));

    assert_eq!(store.status_history(ANNOTATION_ID).len(), 1);
    assert_eq!(
        store.latest_status(ANNOTATION_ID).unwrap().status,
        "exported"
    );
}

#[tokio::test]
async fn other_events_and_actions_are_422_naming_the_expected_one() {
    let store = Arc::new(InMemoryRecordStore::new());
    let mut payload = status_payload();
    payload["action"] = json!("created");
    let (status, body) = signed(store.clone(), &bytes(&payload)).await;
    assert_refused(status, &body, 422, "wrong_event");
    assert_eq!(
        body["messages"][0]["content"],
        "this hook handles annotation_status.changed; it received annotation_status.created"
    );

    let content_event =
        include_bytes!("../../../../../events/payloads/rossum-annotation-initialize.json");
    let (status, body) = signed(store.clone(), content_event).await;
    assert_refused(status, &body, 422, "wrong_event");
    assert_eq!(
        body["messages"][0]["content"],
        "this hook handles annotation_status.changed; it received annotation_content.initialize"
    );
    assert!(store.status_history(ANNOTATION_ID).is_empty());
}

#[tokio::test]
async fn bodies_without_what_is_recorded_are_400() {
    let store = Arc::new(InMemoryRecordStore::new());
    let mut payload = status_payload();
    payload.as_object_mut().unwrap().remove("annotation");
    let (status, body) = signed(store.clone(), &bytes(&payload)).await;
    assert_refused(status, &body, 400, "malformed_body");

    let mut payload = status_payload();
    payload["annotation"]["id"] = json!("not a number");
    let (status, body) = signed(store.clone(), &bytes(&payload)).await;
    assert_refused(status, &body, 400, "malformed_body");

    let (status, body) = signed(store.clone(), b"{\"event\": ").await;
    assert_refused(status, &body, 400, "malformed_body");
    assert!(store.status_history(ANNOTATION_ID).is_empty());
}
