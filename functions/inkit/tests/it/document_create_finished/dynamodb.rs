//! The endpoint against DynamoDB Local and the Inkit stand-in: one event item per delivery
//! however often it arrives, a hang that keeps the event and a redelivery that completes it.

use super::common;

use std::sync::Arc;

use common::{RESOURCE_ID, delivered, document_of, finished, inkit_of, records_table, signed};
use inkit_client::InkitApi;
use inkit_stand_in::{InkitStandIn, Reply};
use serde_json::json;
use webhook_test_support::RecordsTable;

/// A new records table `label`, the stand-in and a client of it.
async fn setup(label: &str) -> (RecordsTable, InkitStandIn, Arc<dyn InkitApi>) {
    let records = records_table(label).await;
    let stand_in = InkitStandIn::start().await;
    let inkit = inkit_of(&stand_in);
    (records, stand_in, inkit)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_delivery_twice_writes_one_event_and_one_document() {
    let (records, stand_in, inkit) = setup("twice").await;
    let store = &records.store;
    let body = delivered(store.clone(), inkit.clone()).await;
    assert_eq!(body["details"], "fetched");
    assert_eq!(
        delivered(store.clone(), inkit).await,
        json!({"recorded": false, "duplicate": true, "details": "fetched"})
    );
    assert_eq!(records.item_count().await, 2, "the event and the document");
    assert_eq!(store.inkit_events(RESOURCE_ID).await.unwrap().len(), 1);
    let document = document_of(&**store, true).await;
    assert_eq!(document.details, Some(common::stand_in_details()));
    assert_eq!(stand_in.request_count(), 1);
    records.drop_table().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hang_keeps_the_event_with_the_details_pending_and_a_redelivery_completes_them() {
    let (records, stand_in, inkit) = setup("hang").await;
    let store = &records.store;
    stand_in.by_default(Reply::Hang);
    assert_eq!(
        delivered(store.clone(), inkit.clone()).await["details"],
        "pending"
    );
    document_of(&**store, false).await;
    assert_eq!(store.inkit_events(RESOURCE_ID).await.unwrap().len(), 1);

    stand_in.by_default(Reply::Document);
    assert_eq!(delivered(store.clone(), inkit).await["duplicate"], true);
    document_of(&**store, true).await;
    assert_eq!(records.item_count().await, 2);
    records.drop_table().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_write_one_event() {
    let (records, _stand_in, inkit) = setup("concurrent").await;
    let store = &records.store;
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (store, inkit) = (store.clone(), inkit.clone());
        calls.spawn(async move { signed(store, inkit, &finished()).await.0 });
    }
    while let Some(status) = calls.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    assert_eq!(store.inkit_events(RESOURCE_ID).await.unwrap().len(), 1);
    assert_eq!(records.item_count().await, 2);
    records.drop_table().await;
}
