//! The whole request path as the Lambda and the local server run it: signed export and
//! confirm deliveries, the gate's answers, and every refusal.

use super::common;

use std::sync::Arc;

use common::{
    ANNOTATION_ID, SECRET, VENDOR_MATCH_ID, bytes, call, datapoint, export_payload, signature,
    signed,
};
use record_store::{InMemoryRecordStore, UnavailableRecordStore};
use serde_json::{Value, json};

fn assert_refused(status: u16, body: &Value, expected_status: u16, expected_code: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"], expected_code, "{body}");
    assert_eq!(body["messages"][0]["type"], "error", "{body}");
}

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
async fn other_actions_are_422_naming_the_expected_ones() {
    let store = Arc::new(InMemoryRecordStore::new());
    let mut payload = export_payload();
    payload["action"] = json!("initialize");
    let (status, body) = signed(store.clone(), &bytes(&payload)).await;
    assert_refused(status, &body, 422, "wrong_event");
    assert_eq!(
        body["messages"][0]["content"],
        "this hook handles annotation_content.confirm, annotation_content.export; \
         it received annotation_content.initialize"
    );
    assert_eq!(store.export_count(), 0);
}

#[tokio::test]
async fn a_bad_signature_is_401_and_records_nothing() {
    let store = Arc::new(InMemoryRecordStore::new());
    let body = bytes(&export_payload());
    let wrong = signature("not the secret", &body);
    let (status, _, answer) = call(
        store.clone(),
        &[("x-rossum-signature-sha256", &wrong)],
        &body,
    )
    .await;
    assert_refused(status, &answer, 401, "signature_mismatch");

    let mut tampered = body.clone();
    let at = tampered.windows(7).position(|w| w == b"V-10027").unwrap();
    tampered[at + 6] = b'8';
    let (status, _, answer) = call(
        store.clone(),
        &[("x-rossum-signature-sha256", &signature(SECRET, &body))],
        &tampered,
    )
    .await;
    assert_refused(status, &answer, 401, "signature_mismatch");
    assert_eq!(store.export_count(), 0);
}

#[tokio::test]
async fn an_unavailable_record_store_is_503_so_rossum_retries() {
    let store = Arc::new(UnavailableRecordStore::new("connection refused"));
    let body = bytes(&export_payload());
    let (status, retry_after, answer) = call(
        store,
        &[("x-rossum-signature-sha256", &signature(SECRET, &body))],
        &body,
    )
    .await;
    assert_refused(status, &answer, 503, "temporarily_unavailable");
    assert_eq!(retry_after.as_deref(), Some("5"));
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

#[tokio::test]
async fn bodies_the_record_cannot_be_made_from_are_400() {
    let store = Arc::new(InMemoryRecordStore::new());
    let mut payload = export_payload();
    payload.as_object_mut().unwrap().remove("timestamp");
    let (status, body) = signed(store.clone(), &bytes(&payload)).await;
    assert_refused(status, &body, 400, "malformed_body");

    let mut payload = export_payload();
    payload["settings"] = json!({"currency_schema_id": 3});
    let (status, body) = signed(store.clone(), &bytes(&payload)).await;
    assert_refused(status, &body, 400, "malformed_body");
    assert_eq!(store.export_count(), 0);
}
