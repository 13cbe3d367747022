//! The endpoint with the in-memory records: a deletion recorded once, the document marked
//! deleted with its history kept, and an unknown resource (its refusals are the `webhooks`
//! table's).

use std::sync::Arc;

use record_store::{
    InMemoryRecordStore, InkitDocumentDetails, InkitEvent, InkitRecordStore, Timestamp,
};
use webhook_model::inkit::InkitEventType;
use webhook_test_support::inkit_recorder::{RESOURCE_ID, delivery};

use crate::support::DELETED;

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

    DELETED.assert_recorded_once(records.clone()).await;

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
    let (status, body) = DELETED
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
