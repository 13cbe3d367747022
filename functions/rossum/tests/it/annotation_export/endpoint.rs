//! The whole request path as the Lambda and the local server run it: signed export and
//! confirm deliveries, the gate's answers, and the refusals only this hook gives (the ones every
//! hook gives are `hooks`').

use super::common;

use std::sync::Arc;

use common::{ANNOTATION_ID, VENDOR_MATCH_ID, bytes, datapoint, export_payload, signed};
use record_store::{InMemoryRecordStore, UnavailableRecordStore};
use serde_json::json;

#[tokio::test]
async fn a_passing_export_is_answered_empty_and_recorded() {
    let store = Arc::new(InMemoryRecordStore::new());
    let (status, body) = signed(store.clone(), &bytes(&export_payload())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"messages": [], "operations": []}));
    let record = store.export(ANNOTATION_ID).expect("the export record");
    assert_eq!(record.vendor_id, "V-10027");
}

#[tokio::test]
async fn a_failing_gate_answers_200_with_errors_and_records_nothing() {
    let store = Arc::new(InMemoryRecordStore::new());
    let mut payload = export_payload();
    datapoint(&mut payload, VENDOR_MATCH_ID)["content"]["value"] = json!("");
    let (status, body) = signed(store.clone(), &bytes(&payload)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["operations"], json!([]));
    assert_eq!(body["messages"][0]["type"], "error");
    assert_eq!(body["messages"][0]["id"], VENDOR_MATCH_ID);
    assert_eq!(store.export_count(), 0);

    payload["action"] = json!("confirm");
    let (status, body) = signed(store.clone(), &bytes(&payload)).await;
    assert_eq!(status, 200);
    assert_eq!(body["messages"].as_array().unwrap().len(), 1);
    assert_eq!(store.export_count(), 0);
}

#[tokio::test]
async fn confirm_never_touches_the_record_store() {
    // Even an unavailable store does not stop a passing confirm.
    let store = Arc::new(UnavailableRecordStore::new("connection refused"));
    let mut payload = export_payload();
    payload["action"] = json!("confirm");
    let (status, body) = signed(store, &bytes(&payload)).await;
    assert_eq!(status, 200, "{body}");
}
