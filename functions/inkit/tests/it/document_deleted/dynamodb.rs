//! The endpoint against DynamoDB Local: a deletion delivered twice is one event item, marks
//! the document deleted and keeps the resource's earlier events.

use record_store::{InkitEvent, InkitRecordStore, Timestamp};
use webhook_model::inkit::InkitEventType;
use webhook_test_support::inkit_recorder::RESOURCE_ID;

use crate::support::DELETED;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_deletion_twice_writes_one_event_and_keeps_the_history() {
    let records = DELETED.records("twice").await;
    let store = &records.store;
    let created = InkitEvent {
        resource_id: RESOURCE_ID.to_owned(),
        event_type: InkitEventType::DocumentCreateFinished,
        received_at: Timestamp::parse("2026-11-20T09:52:44Z").unwrap(),
    };
    store.record_inkit_event(&created).await.unwrap();

    DELETED.assert_recorded_once(store.clone()).await;
    assert_eq!(records.item_count().await, 3, "two events and the document");
    let events = store.inkit_events(RESOURCE_ID).await.unwrap();
    let types: Vec<_> = events.iter().map(|e| e.event_type.clone()).collect();
    assert_eq!(
        types,
        vec![
            InkitEventType::DocumentCreateFinished,
            InkitEventType::DocumentDeleted
        ]
    );
    let document = store.inkit_document(RESOURCE_ID).await.unwrap().unwrap();
    assert!(document.deleted);
    assert_eq!(document.deleted_at, Some(events[1].received_at.clone()));
    records.drop_table().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletion_of_an_unknown_resource_leaves_a_deleted_marker() {
    let records = DELETED.records("unknown").await;
    let store = &records.store;
    let (status, body) = DELETED.signed(store.clone(), &DELETED.own_event()).await;
    assert_eq!(status, 200, "{body}");
    let document = store.inkit_document(RESOURCE_ID).await.unwrap().unwrap();
    assert!(document.deleted);
    assert!(!document.details_fetched);
    assert_eq!(records.item_count().await, 2);
    records.drop_table().await;
}
