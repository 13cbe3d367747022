//! Status changes through the endpoint, against DynamoDB Local.

use super::common;

use std::sync::Arc;

use common::{ANNOTATION_ID, SAMPLE, bytes, records_table, signed, status_payload};
use record_store::DynamoRecordStore;
use serde_json::json;
use webhook_test_support::{drop_table, item_count};

use crate::support::{as_deployed, deliver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_delivery_twice_is_one_history_item() {
    let (client, table) = records_table("twice").await;
    let store = Arc::new(DynamoRecordStore::new(client.clone(), &table));
    let (status, body) = signed(store.clone(), SAMPLE).await;
    assert_eq!(
        (status, body),
        (200, json!({"recorded": true, "latest": true}))
    );
    let (status, body) = signed(store.clone(), SAMPLE).await;
    assert_eq!(
        (status, body),
        (200, json!({"recorded": false, "duplicate": true}))
    );

    assert_eq!(
        item_count(&client, &table).await,
        2,
        "one history item and the latest"
    );
    assert_eq!(store.status_history(ANNOTATION_ID).await.unwrap().len(), 1);
    let latest = store.latest_status(ANNOTATION_ID).await.unwrap().unwrap();
    assert_eq!(latest.status, "exported");
    assert_eq!(latest.previous_status.as_deref(), Some("exporting"));
    drop_table(&client, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_delivery_of_an_older_change_does_not_become_latest() {
    let (client, table) = records_table("late").await;
    let store = Arc::new(DynamoRecordStore::new(client.clone(), &table));
    let (status, _) = signed(store.clone(), SAMPLE).await;
    assert_eq!(status, 200);

    let mut older = status_payload();
    older["annotation"]["previous_status"] = json!("confirmed");
    older["annotation"]["status"] = json!("exporting");
    older["timestamp"] = json!("2026-11-20T09:52:44.2Z");
    older["request_id"] = json!("b7d41e09-5c2a-4f3e-9a86-0e4f7c1d2b93");
    let (status, body) = signed(store.clone(), &bytes(&older)).await;
    assert_eq!(
        (status, body),
        (200, json!({"recorded": true, "latest": false}))
    );

    let history: Vec<String> = store
        .status_history(ANNOTATION_ID)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(history, ["exporting", "exported"]);
    let latest = store.latest_status(ANNOTATION_ID).await.unwrap().unwrap();
    assert_eq!(latest.status, "exported");
    drop_table(&client, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_deliveries_record_one_change_and_agree() {
    let (client, table) = records_table("concurrent").await;
    let store = Arc::new(DynamoRecordStore::new(client.clone(), &table));
    let endpoint = as_deployed(common::ENDPOINT, &store);
    let signature = common::signature(common::SECRET, SAMPLE);
    let recorded = json!({"recorded": true, "latest": true});
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (endpoint, signature) = (endpoint.clone(), signature.clone());
        calls.spawn(async move {
            let headers = [("x-rossum-signature-sha256", signature.as_str())];
            webhook_test_support::respond(&endpoint, &headers, SAMPLE).await
        });
    }
    while let Some(answer) = calls.join_next().await {
        let (status, retry_after, body) = answer.unwrap();
        match status {
            200 => assert_eq!(body, recorded),
            429 => {
                assert_eq!(body["error"], "in_progress", "{body}");
                assert!(retry_after.is_some(), "429 says when to retry");
            }
            _ => panic!("unexpected answer {status}: {body}"),
        }
    }
    assert_eq!(store.status_history(ANNOTATION_ID).await.unwrap().len(), 1);
    // Once the first delivery completed, Rossum's retry gets its very answer.
    let guarded_again = webhook_test_support::respond(
        &endpoint,
        &[("x-rossum-signature-sha256", &signature)],
        SAMPLE,
    )
    .await;
    assert_eq!((guarded_again.0, guarded_again.2), (200, recorded));
    // The history item, the latest status and one idempotency record.
    assert_eq!(item_count(&client, &table).await, 3);
    drop_table(&client, &table).await;
}

/// Rossum's reference does not promise that a retry keeps `request_id` or `timestamp`: a retry
/// that changes both gets past the idempotency guard as a new delivery, and the history item,
/// named by the transition, is not written twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_with_a_new_request_id_through_the_guard_writes_no_second_item() {
    let (client, table) = records_table("new-request-id").await;
    let store = Arc::new(DynamoRecordStore::new(client.clone(), &table));
    let endpoint = as_deployed(common::ENDPOINT, &store);
    let (status, body) = deliver(&endpoint, &status_payload()).await;
    assert_eq!(
        (status, body),
        (200, json!({"recorded": true, "latest": true}))
    );
    let mut retry = status_payload();
    retry["request_id"] = json!("5b1e0c3d-retry-with-a-new-id");
    retry["timestamp"] = json!("2026-11-20T09:53:17.9Z");
    let (status, body) = deliver(&endpoint, &retry).await;
    assert_eq!(
        (status, body),
        (200, json!({"recorded": false, "duplicate": true}))
    );
    assert_eq!(store.status_history(ANNOTATION_ID).await.unwrap().len(), 1);
    assert_eq!(
        item_count(&client, &table).await,
        4,
        "the history item, the latest status and the two deliveries' idempotency items"
    );
    drop_table(&client, &table).await;
}
