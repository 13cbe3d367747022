//! The built Lambda binary, started as Lambda starts it, answering a signed delivery wrapped
//! in an API Gateway HTTP API (v2) event, with DynamoDB Local as its records table.

use record_store::InkitRecordStore;
use webhook_test_support::binary::start;
use webhook_test_support::inkit_recorder::RESOURCE_ID;
use webhook_test_support::invoke;

use crate::support::{DELETED, DEVELOPMENT_SECRET, binary_recording_once};

const BINARY: &str = env!("CARGO_BIN_EXE_inkit-document-deleted");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_marks_the_document_deleted_once_and_refuses_a_forgery() {
    let (records, _api, _process) = binary_recording_once(DELETED, BINARY).await;

    let document = records
        .store
        .inkit_document(RESOURCE_ID)
        .await
        .unwrap()
        .unwrap();
    assert!(document.deleted);
    // The event, the document and the delivery's idempotency record.
    assert_eq!(records.item_count().await, 3);
    records.drop_table().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_secret_every_delivery_is_refused_with_500() {
    let (api, process) = start(BINARY, DELETED.name, &[]).await;
    let event = DELETED.api_gateway_event(&DELETED.own_event(), DEVELOPMENT_SECRET);
    let (status, body) = invoke(&api, &event).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error"], "not_configured");
    let logs = process.stop();
    // Its own webhook's key, or the shared one: the error names both.
    assert!(
        logs.contains(
            "neither INKIT_DOCUMENT_DELETED_WEBHOOK_SECRET nor INKIT_WEBHOOK_SECRET is set"
        ),
        "{logs}"
    );
}
