//! The endpoint against DynamoDB Local: a failure delivered twice is one event item, and
//! the resource's document item says it failed.

use super::common;

use std::sync::Arc;

use common::FUNCTION;
use record_store::{DynamoRecordStore, InkitRecordStore};
use serde_json::json;
use webhook_test_support::inkit_recorder::RESOURCE_ID;
use webhook_test_support::item_count;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_failure_twice_writes_one_event() {
    let (client, table) = FUNCTION.records_table("twice").await;
    let store = Arc::new(DynamoRecordStore::new(client.clone(), &table));
    assert_eq!(
        FUNCTION.signed(store.clone(), &FUNCTION.own_event()).await,
        (200, json!({"recorded": true}))
    );
    assert_eq!(
        FUNCTION.signed(store.clone(), &FUNCTION.own_event()).await,
        (200, json!({"recorded": false, "duplicate": true}))
    );
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
    let _ = client.delete_table().table_name(&table).send().await;
}
