//! The endpoint with the in-memory records: a failure recorded once, signatures, event
//! types, bodies, and an unavailable records table.

use super::common;

use std::sync::Arc;

use common::FUNCTION;
use record_store::{InMemoryRecordStore, InkitRecordStore, UnavailableRecordStore};
use serde_json::json;
use webhook_model::inkit::InkitEventType;
use webhook_test_support::inkit_recorder::{RESOURCE_ID, SECRET, delivery};
use webhook_test_support::inkit_signature;

#[tokio::test]
async fn a_failure_is_recorded_once() {
    let records = Arc::new(InMemoryRecordStore::new());
    let (status, body) = FUNCTION
        .signed(records.clone(), &FUNCTION.own_event())
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"recorded": true}));
    let (status, body) = FUNCTION
        .signed(records.clone(), &FUNCTION.own_event())
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"recorded": false, "duplicate": true}));

    assert_eq!(records.inkit_event_count(), 1);
    let document = records.inkit_document(RESOURCE_ID).await.unwrap().unwrap();
    assert_eq!(document.last_event, InkitEventType::DocumentCreateFailed);
    let failed_at = document.create_failed_at.expect("the failure's time");
    assert_eq!(failed_at, records.inkit_events(RESOURCE_ID)[0].received_at);
    assert!(!document.deleted);
}

#[tokio::test]
async fn a_bad_signature_is_401_and_records_nothing() {
    let records = Arc::new(InMemoryRecordStore::new());
    let body = FUNCTION.own_event();
    let forged = inkit_signature("another-secret", &body);
    for headers in [vec![], vec![("inkit-signature", forged.as_str())]] {
        let (status, _, answer) = FUNCTION.call(records.clone(), &headers, &body).await;
        assert_eq!(status, 401, "{answer}");
    }
    // Signed over other bytes than those sent.
    let (status, _, _) = FUNCTION
        .call(
            records.clone(),
            &[("inkit-signature", &inkit_signature(SECRET, b"{}"))],
            &body,
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(records.inkit_event_count(), 0);
}

#[tokio::test]
async fn another_event_type_is_422_naming_the_expected_one() {
    let records = Arc::new(InMemoryRecordStore::new());
    for event_type in [
        "DOCUMENT_CREATE_FINISHED",
        "DOCUMENT_DELETED",
        "RENDER_CREATE_FAILED",
    ] {
        let (status, body) = FUNCTION
            .signed(records.clone(), &delivery(event_type, RESOURCE_ID))
            .await;
        assert_eq!(status, 422, "{body}");
        let message = body["messages"][0]["content"].as_str().unwrap();
        assert!(message.contains("DOCUMENT_CREATE_FAILED"), "{message}");
        assert!(message.contains(event_type), "{message}");
    }
    assert_eq!(records.inkit_event_count(), 0);
}

#[tokio::test]
async fn a_malformed_body_is_400() {
    let records = Arc::new(InMemoryRecordStore::new());
    for body in [
        b"[]".to_vec(),
        br#"{"resource_id": "doc_1"}"#.to_vec(),
        delivery("DOCUMENT_CREATE_FAILED", " "),
    ] {
        let (status, answer) = FUNCTION.signed(records.clone(), &body).await;
        assert_eq!(status, 400, "{answer}");
    }
    assert_eq!(records.inkit_event_count(), 0);
}

#[tokio::test]
async fn an_unavailable_records_table_is_503() {
    let records = Arc::new(UnavailableRecordStore::new(
        "the records table is not configured",
    ));
    let (status, retry_after, answer) = FUNCTION.signed_call(records, &FUNCTION.own_event()).await;
    assert_eq!(status, 503, "{answer}");
    assert_eq!(retry_after.as_deref(), Some("5"));
}
