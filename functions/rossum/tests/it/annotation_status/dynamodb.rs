//! Status changes through the endpoint, against DynamoDB Local.

use super::common;

use common::{
    SAMPLE, already_recorded, bytes, history, latest, recorded, records_table, signed,
    status_payload,
};
use serde_json::json;

use crate::support::{as_deployed, deliver_then_retry_with_new_ids};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_delivery_twice_is_one_history_item() {
    let records = records_table("twice").await;
    assert_eq!(
        signed(records.store.clone(), SAMPLE).await,
        (200, recorded(true))
    );
    assert_eq!(
        signed(records.store.clone(), SAMPLE).await,
        (200, already_recorded())
    );

    assert_eq!(
        records.item_count().await,
        2,
        "one history item and the latest"
    );
    assert_eq!(history(&records).await.len(), 1);
    let latest = latest(&records).await;
    assert_eq!(latest.status, "exported");
    assert_eq!(latest.previous_status.as_deref(), Some("exporting"));
    records.drop_table().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_delivery_of_an_older_change_does_not_become_latest() {
    let records = records_table("late").await;
    let (status, _) = signed(records.store.clone(), SAMPLE).await;
    assert_eq!(status, 200);

    let mut older = status_payload();
    older["annotation"]["previous_status"] = json!("confirmed");
    older["annotation"]["status"] = json!("exporting");
    older["timestamp"] = json!("2026-11-20T09:52:44.2Z");
    older["request_id"] = json!("b7d41e09-5c2a-4f3e-9a86-0e4f7c1d2b93");
    assert_eq!(
        signed(records.store.clone(), &bytes(&older)).await,
        (200, recorded(false))
    );

    let statuses: Vec<String> = history(&records)
        .await
        .into_iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, ["exporting", "exported"]);
    let latest = latest(&records).await;
    assert_eq!(latest.status, "exported");
    records.drop_table().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_deliveries_record_one_change_and_agree() {
    let records = records_table("concurrent").await;
    let endpoint = as_deployed(common::ENDPOINT, &records);
    let signature = common::signature(common::SECRET, SAMPLE);
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
            200 => assert_eq!(body, recorded(true)),
            429 => {
                assert_eq!(body["error"], "in_progress", "{body}");
                assert!(retry_after.is_some(), "429 says when to retry");
            }
            _ => panic!("unexpected answer {status}: {body}"),
        }
    }
    assert_eq!(history(&records).await.len(), 1);
    // Once the first delivery completed, Rossum's retry gets its very answer.
    let guarded_again = webhook_test_support::respond(
        &endpoint,
        &[("x-rossum-signature-sha256", &signature)],
        SAMPLE,
    )
    .await;
    assert_eq!((guarded_again.0, guarded_again.2), (200, recorded(true)));
    // The history item, the latest status and one idempotency record.
    assert_eq!(records.item_count().await, 3);
    records.drop_table().await;
}

/// A retry with a new `request_id` and `timestamp` gets past the idempotency guard as a new
/// delivery ([`deliver_then_retry_with_new_ids`]): the history item, named by the transition,
/// is not written twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_with_a_new_request_id_through_the_guard_writes_no_second_item() {
    let records = records_table("new-request-id").await;
    let endpoint = as_deployed(common::ENDPOINT, &records);
    let answers = deliver_then_retry_with_new_ids(
        &endpoint,
        status_payload(),
        "5b1e0c3d-retry-with-a-new-id",
        "2026-11-20T09:53:17.9Z",
    )
    .await;
    assert_eq!(answers, [(200, recorded(true)), (200, already_recorded())]);
    assert_eq!(history(&records).await.len(), 1);
    assert_eq!(
        records.item_count().await,
        4,
        "the history item, the latest status and the two deliveries' idempotency items"
    );
    records.drop_table().await;
}
