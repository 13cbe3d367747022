//! The built Lambda binary, started as Lambda starts it, answering a signed status delivery
//! wrapped in an API Gateway HTTP API (v2) event: refused with 503 while its records table
//! is not configured, recorded once it is.

use super::common;

use std::path::Path;

use common::{ANNOTATION_ID, SAMPLE, records_table, signature};
use lambda_runtime_stub::RuntimeApi;
use record_store::DynamoRecordStore;
use serde_json::json;
use webhook_test_support::invoke;

const BINARY: &str = env!("CARGO_BIN_EXE_rossum-annotation-status");
const DEVELOPMENT_SECRET: &str = "rossum-development-secret";

/// The payload as API Gateway delivers it, signed with the development secret.
fn api_gateway_event(body: &[u8]) -> Vec<u8> {
    let signature = signature(DEVELOPMENT_SECRET, body);
    lambda_runtime_stub::api_gateway_event(
        rossum_functions::annotation_status::ROUTE,
        &[("x-rossum-signature-sha256", &signature)],
        body,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_records_table_changes_are_refused_with_503() {
    let api = RuntimeApi::start().await.unwrap();
    let process = api
        .spawn_function(
            Path::new(BINARY),
            "rossum-annotation-status",
            &[("ROSSUM_HOOK_SECRET", DEVELOPMENT_SECRET)],
        )
        .unwrap();
    let (status, body) = invoke(&api, &api_gateway_event(SAMPLE)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable");
    let logs = process.stop();
    assert!(
        logs.contains("RECORDS_TABLE is not set"),
        "start-up says what is missing: {logs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_its_table_the_binary_records_the_change_once() {
    let (client, table) = records_table("binary").await;
    let endpoint = common::dynamodb_endpoint();
    let api = RuntimeApi::start().await.unwrap();
    let process = api
        .spawn_function(
            Path::new(BINARY),
            "rossum-annotation-status",
            &[
                ("ROSSUM_HOOK_SECRET", DEVELOPMENT_SECRET),
                ("RECORDS_TABLE", &table),
                ("DYNAMODB_ENDPOINT", &endpoint),
                ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
            ],
        )
        .unwrap();
    // The signed sample users invoke the function with (its body is SAMPLE).
    let event = include_bytes!("../../../../../events/rossum-annotation-status.json");
    let (status, body) = invoke(&api, event).await;
    assert_eq!(
        (status, body),
        (200, json!({"recorded": true, "latest": true}))
    );
    let (status, body) = invoke(&api, event).await;
    assert_eq!(
        (status, body),
        (200, json!({"recorded": true, "latest": true})),
        "the retry gets the stored answer"
    );

    let store = DynamoRecordStore::new(client.clone(), &table);
    assert_eq!(store.status_history(ANNOTATION_ID).await.unwrap().len(), 1);
    let logs = process.stop();
    assert!(
        !logs.contains("1024873d424a007d8eebff7b3684d283abdf7d0d"),
        "the Rossum token never reaches the log"
    );
    let _ = client.delete_table().table_name(&table).send().await;
}
