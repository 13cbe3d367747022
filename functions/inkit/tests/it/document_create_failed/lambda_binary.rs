//! The built Lambda binary, started as Lambda starts it, answering a signed delivery wrapped
//! in an API Gateway HTTP API (v2) event: the failure recorded in DynamoDB Local, and its
//! JSON log line carrying the field the CloudWatch metric filter matches.

use serde_json::Value;
use webhook_test_support::binary::{assert_says_records_table_missing, start};
use webhook_test_support::inkit_recorder::RESOURCE_ID;
use webhook_test_support::{inkit_signature, invoke};

use crate::support::{CREATE_FAILED, DEVELOPMENT_SECRET, SECRET_VAR, binary_recording_once};

const BINARY: &str = env!("CARGO_BIN_EXE_inkit-document-create-failed");

/// The log lines that `{ $.fields.metric = "inkit_document_create_failed" }` matches.
fn metric_lines(logs: &str) -> Vec<Value> {
    logs.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["fields"]["metric"] == "inkit_document_create_failed")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_records_a_failure_once_and_logs_it_once_for_the_metric() {
    let (records, _api, process) = binary_recording_once(CREATE_FAILED, BINARY).await;
    // The event, the document and the delivery's idempotency record.
    assert_eq!(records.item_count().await, 3);

    let logs = process.stop();
    let lines = metric_lines(&logs);
    assert_eq!(
        lines.len(),
        1,
        "one line per failure, not per delivery: {logs}"
    );
    assert_eq!(lines[0]["level"], "ERROR");
    assert_eq!(lines[0]["fields"]["resource_id"], RESOURCE_ID);
    let signature = inkit_signature(DEVELOPMENT_SECRET, &CREATE_FAILED.own_event());
    assert!(!logs.contains(&signature), "signatures never reach the log");
    records.drop_table().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_records_table_failures_are_refused_with_503_and_not_counted() {
    let env = [SECRET_VAR, ("AWS_LAMBDA_LOG_FORMAT", "JSON")];
    let (api, process) = start(BINARY, CREATE_FAILED.name, &env).await;
    let event = CREATE_FAILED.api_gateway_event(&CREATE_FAILED.own_event(), DEVELOPMENT_SECRET);
    let (status, body) = invoke(&api, &event).await;
    assert_eq!(status, 503, "{body}");
    let logs = process.stop();
    assert_says_records_table_missing(&logs);
    assert!(
        metric_lines(&logs).is_empty(),
        "counted once it is recorded: {logs}"
    );
}
