//! Exactly-once export records through the endpoint, against DynamoDB Local.

use super::common;

use std::sync::Arc;

use common::{ANNOTATION_ID, bytes, export_payload, records_table, signed};
use record_store::DynamoRecordStore;
use serde_json::json;
use webhook_test_support::{drop_table, item_count};

use crate::support::{as_deployed, deliver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_delivery_twice_writes_one_record() {
    let (client, table) = records_table("twice").await;
    let store = Arc::new(DynamoRecordStore::new(client.clone(), &table));
    let delivery = bytes(&export_payload());

    for _ in 0..2 {
        let (status, body) = signed(store.clone(), &delivery).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"messages": [], "operations": []}));
    }
    // A later export of the same annotation (a new delivery) writes nothing either.
    let mut again = export_payload();
    again["request_id"] = json!("0d6f2b8e-later-export");
    again["timestamp"] = json!("2026-11-21T08:00:00Z");
    let (status, _) = signed(store.clone(), &bytes(&again)).await;
    assert_eq!(status, 200);

    assert_eq!(item_count(&client, &table).await, 1);
    let record = store
        .export(ANNOTATION_ID)
        .await
        .unwrap()
        .expect("recorded");
    assert_eq!(record.request_id, "b7d41e09-5c2a-4f3e-9a86-0e4f7c1d2b93");
    assert_eq!(record.exported_at.as_str(), "2026-11-20T09:52:44.118204Z");
    drop_table(&client, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_of_one_export_write_one_record() {
    let (client, table) = records_table("concurrent").await;
    let store = Arc::new(DynamoRecordStore::new(client.clone(), &table));
    let delivery = bytes(&export_payload());
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (store, delivery) = (store.clone(), delivery.clone());
        calls.spawn(async move { signed(store, &delivery).await.0 });
    }
    while let Some(status) = calls.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    assert_eq!(item_count(&client, &table).await, 1);
    drop_table(&client, &table).await;
}

/// Rossum's reference does not promise that a retry keeps `request_id` or `timestamp`: a retry
/// that changes both gets past the idempotency guard as a new delivery, and the export
/// record's own conditional write keeps it from writing a second record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_with_a_new_request_id_through_the_guard_writes_no_second_record() {
    let (client, table) = records_table("new-request-id").await;
    let store = Arc::new(DynamoRecordStore::new(client.clone(), &table));
    let endpoint = as_deployed(common::ENDPOINT, &store);
    let (status, body) = deliver(&endpoint, &export_payload()).await;
    assert_eq!(status, 200, "{body}");
    let mut retry = export_payload();
    retry["request_id"] = json!("3f0c9a27-retry-with-a-new-id");
    retry["timestamp"] = json!("2026-11-20T09:53:14.5Z");
    let (status, body) = deliver(&endpoint, &retry).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"messages": [], "operations": []}));

    assert_eq!(
        item_count(&client, &table).await,
        3,
        "one export record and the two deliveries' idempotency items"
    );
    let record = store.export(ANNOTATION_ID).await.unwrap().unwrap();
    assert_eq!(record.request_id, "b7d41e09-5c2a-4f3e-9a86-0e4f7c1d2b93");
    drop_table(&client, &table).await;
}
