//! The built Lambda binary, started as Lambda starts it, answering a signed delivery wrapped
//! in an API Gateway HTTP API (v2) event, with DynamoDB Local as its records table.

use super::common;

use std::path::Path;

use common::FUNCTION;
use lambda_runtime_stub::RuntimeApi;
use record_store::{DynamoRecordStore, InkitRecordStore};
use serde_json::json;
use webhook_test_support::inkit_recorder::RESOURCE_ID;
use webhook_test_support::invoke;
use webhook_test_support::item_count;

const BINARY: &str = env!("CARGO_BIN_EXE_inkit-document-deleted");
const DEVELOPMENT_SECRET: &str = "inkit-development-secret";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_marks_the_document_deleted_once_and_refuses_a_forgery() {
    let (client, table) = FUNCTION.records_table("binary").await;
    let endpoint = webhook_test_support::dynamodb_endpoint();
    let api = RuntimeApi::start().await.unwrap();
    let _process = api
        .spawn_function(
            Path::new(BINARY),
            "inkit-document-deleted",
            &[
                ("INKIT_WEBHOOK_SECRET", DEVELOPMENT_SECRET),
                ("RECORDS_TABLE", &table),
                ("DYNAMODB_ENDPOINT", &endpoint),
                ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
            ],
        )
        .unwrap();
    let event = FUNCTION.api_gateway_event(&FUNCTION.own_event(), DEVELOPMENT_SECRET);
    assert_eq!(invoke(&api, &event).await, (200, json!({"recorded": true})));
    assert_eq!(
        invoke(&api, &event).await,
        (200, json!({"recorded": true})),
        "the retry gets the stored answer"
    );
    let (status, _) = invoke(
        &api,
        &FUNCTION.api_gateway_event(&FUNCTION.own_event(), "forged"),
    )
    .await;
    assert_eq!(status, 401);

    let store = DynamoRecordStore::new(client.clone(), &table);
    let document = store.inkit_document(RESOURCE_ID).await.unwrap().unwrap();
    assert!(document.deleted);
    // The event, the document and the delivery's idempotency record.
    assert_eq!(item_count(&client, &table).await, 3);
    let _ = client.delete_table().table_name(&table).send().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_secret_every_delivery_is_refused_with_500() {
    let api = RuntimeApi::start().await.unwrap();
    let process = api
        .spawn_function(Path::new(BINARY), "inkit-document-deleted", &[])
        .unwrap();
    let (status, body) = invoke(
        &api,
        &FUNCTION.api_gateway_event(&FUNCTION.own_event(), DEVELOPMENT_SECRET),
    )
    .await;
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
