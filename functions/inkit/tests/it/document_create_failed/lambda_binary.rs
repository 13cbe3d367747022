//! The built Lambda binary, started as Lambda starts it, answering a signed delivery wrapped
//! in an API Gateway HTTP API (v2) event: the failure recorded in DynamoDB Local, and its
//! JSON log line carrying the field the CloudWatch metric filter matches.

use super::common;

use std::path::Path;

use common::FUNCTION;
use lambda_runtime_stub::RuntimeApi;
use serde_json::{Value, json};
use webhook_test_support::inkit_recorder::RESOURCE_ID;
use webhook_test_support::invoke;
use webhook_test_support::{inkit_signature, item_count};

const BINARY: &str = env!("CARGO_BIN_EXE_inkit-document-create-failed");
const DEVELOPMENT_SECRET: &str = "inkit-development-secret";

/// The log lines that `{ $.fields.metric = "inkit_document_create_failed" }` matches.
fn metric_lines(logs: &str) -> Vec<Value> {
    logs.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["fields"]["metric"] == "inkit_document_create_failed")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_records_a_failure_once_and_logs_it_once_for_the_metric() {
    let (client, table) = FUNCTION.records_table("binary").await;
    let endpoint = webhook_test_support::dynamodb_endpoint();
    let api = RuntimeApi::start().await.unwrap();
    let process = api
        .spawn_function(
            Path::new(BINARY),
            "inkit-document-create-failed",
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
    // The event, the document and the delivery's idempotency record.
    assert_eq!(item_count(&client, &table).await, 3);

    let logs = process.stop();
    let lines = metric_lines(&logs);
    assert_eq!(
        lines.len(),
        1,
        "one line per failure, not per delivery: {logs}"
    );
    assert_eq!(lines[0]["level"], "ERROR");
    assert_eq!(lines[0]["fields"]["resource_id"], RESOURCE_ID);
    assert!(!logs.contains(&inkit_signature(DEVELOPMENT_SECRET, &FUNCTION.own_event())));
    let _ = client.delete_table().table_name(&table).send().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_records_table_failures_are_refused_with_503_and_not_counted() {
    let api = RuntimeApi::start().await.unwrap();
    let process = api
        .spawn_function(
            Path::new(BINARY),
            "inkit-document-create-failed",
            &[
                ("INKIT_WEBHOOK_SECRET", DEVELOPMENT_SECRET),
                ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
            ],
        )
        .unwrap();
    let (status, body) = invoke(
        &api,
        &FUNCTION.api_gateway_event(&FUNCTION.own_event(), DEVELOPMENT_SECRET),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    let logs = process.stop();
    assert!(logs.contains("RECORDS_TABLE is not set"), "{logs}");
    assert!(
        metric_lines(&logs).is_empty(),
        "counted once it is recorded: {logs}"
    );
}
