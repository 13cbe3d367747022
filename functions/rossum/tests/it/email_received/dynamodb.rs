//! The email recorded exactly once through the endpoint, against DynamoDB Local.

use super::common;

use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use common::{EMAIL_URL, SAMPLE, all_items, drop_table, records_table, signed_to, with};
use record_store::{DEFAULT_HISTORY_RETENTION, DynamoRecordStore, Timestamp};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_email_delivered_twice_is_one_item_with_its_expiry() {
    let (client, table) = records_table("twice").await;
    let store = Arc::new(DynamoRecordStore::new(client.clone(), &table));

    let (status, first) = signed_to(store.clone(), SAMPLE).await;
    assert_eq!(status, 200, "{first}");
    let redelivery = with(|p| {
        p["request_id"] = json!("5e6f7a8b-redelivery");
        p["timestamp"] = json!("2026-11-16T10:04:02Z");
    });
    let (status, again) = signed_to(store.clone(), &redelivery).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, first, "a redelivery gets the same answer");

    let items = all_items(&client, &table).await;
    assert_eq!(items.len(), 1, "{items:?}");
    let item = &items[0];
    assert_eq!(item["pk"], AttributeValue::S("EMAIL#1204418".into()));
    assert_eq!(item["sk"], AttributeValue::S("EMAIL".into()));
    let received_at = Timestamp::parse("2026-11-16T10:03:31.482915Z").unwrap();
    let expiry = received_at.epoch_seconds() + DEFAULT_HISTORY_RETENTION.as_secs() as i64;
    assert_eq!(item["expires_at"], AttributeValue::N(expiry.to_string()));

    let record = store.email(EMAIL_URL).await.unwrap().expect("recorded");
    assert_eq!(record.request_id, "0c5f7d3e-9b1a-4c8e-a2d6-3f4b5c6d7e81");
    assert_eq!(record.received_at, received_at);
    assert_eq!(record.files_imported, ["1", "3"]);
    assert_eq!(record.files_dropped, 3);
    drop_table(&client, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_of_one_email_write_one_item() {
    let (client, table) = records_table("concurrent").await;
    let store = Arc::new(DynamoRecordStore::new(client.clone(), &table));
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let store = store.clone();
        calls.spawn(async move { signed_to(store, SAMPLE).await });
    }
    let mut answers = Vec::new();
    while let Some(answer) = calls.join_next().await {
        let (status, body) = answer.unwrap();
        assert_eq!(status, 200, "{body}");
        answers.push(body);
    }
    assert!(answers.windows(2).all(|pair| pair[0] == pair[1]));
    assert_eq!(all_items(&client, &table).await.len(), 1);
    drop_table(&client, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_table_is_503_not_a_lost_email() {
    let (client, table) = records_table("missing").await;
    drop_table(&client, &table).await;
    let store = Arc::new(DynamoRecordStore::new(client, &table));
    let (status, body) = signed_to(store, SAMPLE).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable");
}
