//! The endpoint with the in-memory records: a deletion recorded once, the document marked
//! deleted with its history kept, an unknown resource, signatures, event types, bodies, and
//! an unavailable records table.

use super::common;

use std::sync::Arc;

use common::FUNCTION;
use record_store::{
    InMemoryRecordStore, InkitDocumentDetails, InkitEvent, InkitRecordStore, Timestamp,
    UnavailableRecordStore,
};
use serde_json::json;
use webhook_model::inkit::InkitEventType;
use webhook_test_support::inkit_recorder::{RESOURCE_ID, delivery};
use webhook_test_support::inkit_signature;

#[tokio::test]
async fn a_deletion_marks_the_document_and_keeps_what_was_known() {
    let records = Arc::new(InMemoryRecordStore::new());
    let created = InkitEvent {
        resource_id: RESOURCE_ID.to_owned(),
        event_type: InkitEventType::DocumentCreateFinished,
        received_at: Timestamp::parse("2026-11-20T09:52:44Z").unwrap(),
    };
    records.record_inkit_event(&created).await.unwrap();
    let details = InkitDocumentDetails {
        id: RESOURCE_ID.to_owned(),
        name: Some("Welcome letter - Jane Doe".to_owned()),
        ..InkitDocumentDetails::default()
    };
    records
        .record_inkit_document_details(RESOURCE_ID, &details, &created.received_at)
        .await
        .unwrap();

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

    let document = records.inkit_document(RESOURCE_ID).await.unwrap().unwrap();
    assert!(document.deleted);
    assert_eq!(document.last_event, InkitEventType::DocumentDeleted);
    assert_eq!(document.details, Some(details), "what was known stays");
    let events = records.inkit_events(RESOURCE_ID);
    assert_eq!(events.len(), 2, "the history is kept: {events:?}");
    assert_eq!(document.deleted_at, Some(events[1].received_at.clone()));
}

#[tokio::test]
async fn a_deletion_of_an_unknown_resource_leaves_a_deleted_marker() {
    let records = Arc::new(InMemoryRecordStore::new());
    let (status, body) = FUNCTION
        .signed(
            records.clone(),
            &delivery("DOCUMENT_DELETED", "doc_never_seen"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let document = records
        .inkit_document("doc_never_seen")
        .await
        .unwrap()
        .unwrap();
    assert!(document.deleted);
    assert!(document.deleted_at.is_some());
    assert_eq!(document.details, None);
    assert_eq!(records.inkit_events("doc_never_seen").len(), 1);
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
    assert_eq!(records.inkit_event_count(), 0);
}

#[tokio::test]
async fn another_event_type_is_422_naming_the_expected_one() {
    let records = Arc::new(InMemoryRecordStore::new());
    for event_type in ["DOCUMENT_CREATE_FINISHED", "FOLDER_DELETED"] {
        let (status, body) = FUNCTION
            .signed(records.clone(), &delivery(event_type, RESOURCE_ID))
            .await;
        assert_eq!(status, 422, "{body}");
        let message = body["messages"][0]["content"].as_str().unwrap();
        assert!(message.contains("DOCUMENT_DELETED"), "{message}");
        assert!(message.contains(event_type), "{message}");
    }
    assert_eq!(records.inkit_event_count(), 0);
}

#[tokio::test]
async fn a_malformed_body_is_400() {
    let records = Arc::new(InMemoryRecordStore::new());
    for body in [
        b"".to_vec(),
        br#"{"event_type": "DOCUMENT_DELETED", "resource_id": null}"#.to_vec(),
    ] {
        let (status, answer) = FUNCTION.signed(records.clone(), &body).await;
        assert_eq!(status, 400, "{answer}");
    }
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
