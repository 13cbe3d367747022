//! The endpoint against DynamoDB Local: a failure delivered twice is one event item, and
//! the resource's document item says it failed.

use std::sync::Arc;

use record_store::{DynamoRecordStore, InkitRecordStore};
use webhook_test_support::inkit_recorder::RESOURCE_ID;
use webhook_test_support::{drop_table, item_count};

use crate::support::CREATE_FAILED;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_failure_twice_writes_one_event() {
    let (client, table) = CREATE_FAILED.records_table("twice").await;
    let store = Arc::new(DynamoRecordStore::new(client.clone(), &table));
    CREATE_FAILED.assert_recorded_once(store.clone()).await;
    assert_eq!(
        item_count(&client, &table).await,
        2,
        "the event and the document"
    );
    let events = store.inkit_events(RESOURCE_ID).await.unwrap();
    assert_eq!(events.len(), 1);
    let document = store.inkit_document(RESOURCE_ID).await.unwrap().unwrap();
    assert_eq!(
        document.create_failed_at,
        Some(events[0].received_at.clone())
    );
    drop_table(&client, &table).await;
}
