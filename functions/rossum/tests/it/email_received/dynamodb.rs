//! The email recorded exactly once through the endpoint, against DynamoDB Local.

use super::common;

use aws_sdk_dynamodb::types::AttributeValue;
use common::{EMAIL_URL, SAMPLE, records_table, sample_record, signed_to, with};
use record_store::DEFAULT_HISTORY_RETENTION;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_email_delivered_twice_is_one_item_with_its_expiry() {
    let records = records_table("twice").await;

    let (status, first) = signed_to(records.store.clone(), SAMPLE).await;
    assert_eq!(status, 200, "{first}");
    let redelivery = with(|p| {
        p["request_id"] = json!("5e6f7a8b-redelivery");
        p["timestamp"] = json!("2026-11-16T10:04:02Z");
    });
    let (status, again) = signed_to(records.store.clone(), &redelivery).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, first, "a redelivery gets the same answer");

    let items = records.items().await;
    assert_eq!(items.len(), 1, "{items:?}");
    let item = &items[0];
    assert_eq!(item["pk"], AttributeValue::S("EMAIL#1204418".into()));
    assert_eq!(item["sk"], AttributeValue::S("EMAIL".into()));
    let sample = sample_record();
    let expiry = sample.received_at.epoch_seconds() + DEFAULT_HISTORY_RETENTION.as_secs() as i64;
    assert_eq!(item["expires_at"], AttributeValue::N(expiry.to_string()));

    let record = records
        .store
        .email(EMAIL_URL)
        .await
        .unwrap()
        .expect("recorded");
    assert_eq!(record, sample, "the first delivery's record");
    records.drop_table().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_of_one_email_write_one_item() {
    let records = records_table("concurrent").await;
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let store = records.store.clone();
        calls.spawn(async move { signed_to(store, SAMPLE).await });
    }
    let mut answers = Vec::new();
    while let Some(answer) = calls.join_next().await {
        let (status, body) = answer.unwrap();
        assert_eq!(status, 200, "{body}");
        answers.push(body);
    }
    assert!(answers.windows(2).all(|pair| pair[0] == pair[1]));
    assert_eq!(records.item_count().await, 1);
    records.drop_table().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_table_is_503_not_a_lost_email() {
    let records = records_table("missing").await;
    records.drop_table().await;
    let (status, body) = signed_to(records.store.clone(), SAMPLE).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable");
}
