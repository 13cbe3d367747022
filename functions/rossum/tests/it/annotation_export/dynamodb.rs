//! Exactly-once export records through the endpoint, against DynamoDB Local.

use super::common;

use common::{bytes, export_payload, recorded_export, records_table, sample_export_record, signed};
use serde_json::json;

use crate::support::{as_deployed, deliver_then_retry_with_new_ids, with_new_ids};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_delivery_twice_writes_one_record() {
    let records = records_table("twice").await;
    let delivery = bytes(&export_payload());

    for _ in 0..2 {
        let (status, body) = signed(records.store.clone(), &delivery).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"messages": [], "operations": []}));
    }
    // A later export of the same annotation (a new delivery) writes nothing either.
    let again = with_new_ids(
        export_payload(),
        "0d6f2b8e-later-export",
        "2026-11-21T08:00:00Z",
    );
    let (status, _) = signed(records.store.clone(), &bytes(&again)).await;
    assert_eq!(status, 200);

    assert_eq!(records.item_count().await, 1);
    let record = recorded_export(&records).await;
    assert_eq!(record, sample_export_record(), "the first export's record");
    assert_eq!(record.exported_at.as_str(), "2026-11-20T09:52:44.118204Z");
    records.drop_table().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_of_one_export_write_one_record() {
    let records = records_table("concurrent").await;
    let delivery = bytes(&export_payload());
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (store, delivery) = (records.store.clone(), delivery.clone());
        calls.spawn(async move { signed(store, &delivery).await.0 });
    }
    while let Some(status) = calls.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    assert_eq!(records.item_count().await, 1);
    records.drop_table().await;
}

/// A retry with a new `request_id` and `timestamp` gets past the idempotency guard as a new
/// delivery ([`deliver_then_retry_with_new_ids`]): the export record's own conditional write
/// keeps it from writing a second record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_with_a_new_request_id_through_the_guard_writes_no_second_record() {
    let records = records_table("new-request-id").await;
    let endpoint = as_deployed(common::ENDPOINT, &records);
    let [(status, body), retried] = deliver_then_retry_with_new_ids(
        &endpoint,
        export_payload(),
        "3f0c9a27-retry-with-a-new-id",
        "2026-11-20T09:53:14.5Z",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(retried, (200, json!({"messages": [], "operations": []})));

    assert_eq!(
        records.item_count().await,
        3,
        "one export record and the two deliveries' idempotency items"
    );
    assert_eq!(
        recorded_export(&records).await,
        sample_export_record(),
        "the first delivery's record"
    );
    records.drop_table().await;
}
