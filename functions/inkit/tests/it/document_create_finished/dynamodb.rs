//! The endpoint against DynamoDB Local and the Inkit stand-in: one event item per delivery
//! however often it arrives, a hang that keeps the event and a redelivery that completes it.

use super::common;

use std::sync::Arc;

use common::{RESOURCE_ID, document_of, finished, inkit_of, records_table, signed};
use inkit_stand_in::{InkitStandIn, Reply};
use record_store::DynamoRecordStore;
use serde_json::json;
use webhook_test_support::{drop_table, item_count};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_delivery_twice_writes_one_event_and_one_document() {
    let (client, table) = records_table("twice").await;
    let store = Arc::new(DynamoRecordStore::new(client.clone(), &table));
    let stand_in = InkitStandIn::start().await;
    let inkit = inkit_of(&stand_in);
    let (status, body) = signed(store.clone(), inkit.clone(), &finished()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["details"], "fetched");
    let (status, body) = signed(store.clone(), inkit, &finished()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"recorded": false, "duplicate": true, "details": "fetched"})
    );
    assert_eq!(
        item_count(&client, &table).await,
        2,
        "the event and the document"
    );
    assert_eq!(store.inkit_events(RESOURCE_ID).await.unwrap().len(), 1);
    let document = document_of(&*store, true).await;
    assert_eq!(
        document.details.unwrap().status.as_deref(),
        Some("completed")
    );
    assert_eq!(stand_in.request_count(), 1);
    drop_table(&client, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hang_keeps_the_event_with_the_details_pending_and_a_redelivery_completes_them() {
    let (client, table) = records_table("hang").await;
    let store = Arc::new(DynamoRecordStore::new(client.clone(), &table));
    let stand_in = InkitStandIn::start().await;
    stand_in.by_default(Reply::Hang);
    let inkit = inkit_of(&stand_in);
    let (status, body) = signed(store.clone(), inkit.clone(), &finished()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["details"], "pending");
    document_of(&*store, false).await;
    assert_eq!(store.inkit_events(RESOURCE_ID).await.unwrap().len(), 1);

    stand_in.by_default(Reply::Document);
    let (status, body) = signed(store.clone(), inkit, &finished()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["duplicate"], true);
    document_of(&*store, true).await;
    assert_eq!(item_count(&client, &table).await, 2);
    drop_table(&client, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_write_one_event() {
    let (client, table) = records_table("concurrent").await;
    let store = Arc::new(DynamoRecordStore::new(client.clone(), &table));
    let stand_in = InkitStandIn::start().await;
    let inkit = inkit_of(&stand_in);
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (store, inkit) = (store.clone(), inkit.clone());
        calls.spawn(async move { signed(store, inkit, &finished()).await.0 });
    }
    while let Some(status) = calls.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    assert_eq!(store.inkit_events(RESOURCE_ID).await.unwrap().len(), 1);
    assert_eq!(item_count(&client, &table).await, 2);
    drop_table(&client, &table).await;
}
