//! The endpoint against DynamoDB Local: a failure delivered twice is one event item, and
//! the resource's document item says it failed.

use record_store::InkitRecordStore;
use webhook_test_support::inkit_recorder::RESOURCE_ID;

use crate::support::CREATE_FAILED;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_failure_twice_writes_one_event() {
    let records = CREATE_FAILED.records("twice").await;
    let store = &records.store;
    CREATE_FAILED.assert_recorded_once(store.clone()).await;
    assert_eq!(records.item_count().await, 2, "the event and the document");
    let events = store.inkit_events(RESOURCE_ID).await.unwrap();
    assert_eq!(events.len(), 1);
    let document = store.inkit_document(RESOURCE_ID).await.unwrap().unwrap();
    assert_eq!(
        document.create_failed_at,
        Some(events[0].received_at.clone())
    );
    records.drop_table().await;
}
