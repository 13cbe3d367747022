//! The built Lambda binary, started as Lambda starts it, answering a signed export delivery
//! wrapped in an API Gateway HTTP API (v2) event: refused with 503 while its records table
//! is not configured, recorded once it is.

use super::common;

use std::path::Path;

use common::{ANNOTATION_ID, bytes, export_payload, records_table, signature};
use lambda_runtime_stub::RuntimeApi;
use record_store::DynamoRecordStore;
use serde_json::json;
use webhook_test_support::invoke;

const BINARY: &str = env!("CARGO_BIN_EXE_rossum-annotation-export");
const DEVELOPMENT_SECRET: &str = "rossum-development-secret";

/// The payload as API Gateway delivers it, signed with the development secret.
fn api_gateway_event(body: &[u8]) -> Vec<u8> {
    let signature = signature(DEVELOPMENT_SECRET, body);
    lambda_runtime_stub::api_gateway_event(
        rossum_functions::annotation_export::ROUTE,
        &[("x-rossum-signature-sha256", &signature)],
        body,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_records_table_exports_are_refused_with_503() {
    let api = RuntimeApi::start().await.unwrap();
    let process = api
        .spawn_function(
            Path::new(BINARY),
            "rossum-annotation-export",
            &[("ROSSUM_HOOK_SECRET", DEVELOPMENT_SECRET)],
        )
        .unwrap();
    let (status, body) = invoke(&api, &api_gateway_event(&bytes(&export_payload()))).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable");

    // Confirm needs no table: the gate alone answers.
    let mut confirm = export_payload();
    confirm["action"] = json!("confirm");
    let (status, body) = invoke(&api, &api_gateway_event(&bytes(&confirm))).await;
    assert_eq!(status, 200, "{body}");

    let logs = process.stop();
    assert!(
        logs.contains("RECORDS_TABLE is not set"),
        "start-up says what is missing: {logs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_its_table_the_binary_records_the_export_once() {
    let (client, table) = records_table("binary").await;
    let endpoint = common::dynamodb_endpoint();
    let api = RuntimeApi::start().await.unwrap();
    let _process = api
        .spawn_function(
            Path::new(BINARY),
            "rossum-annotation-export",
            &[
                ("ROSSUM_HOOK_SECRET", DEVELOPMENT_SECRET),
                ("RECORDS_TABLE", &table),
                ("DYNAMODB_ENDPOINT", &endpoint),
                ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
            ],
        )
        .unwrap();
    // The signed sample users invoke the function with.
    let event = include_bytes!("../../../../../events/rossum-annotation-export.json");
    for _ in 0..2 {
        let (status, body) = invoke(&api, event).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"messages": [], "operations": []}));
    }
    let store = DynamoRecordStore::new(client.clone(), &table);
    let record = store
        .export(ANNOTATION_ID)
        .await
        .unwrap()
        .expect("recorded");
    assert_eq!(record.vendor_id, "V-10027");
    // The export record and the delivery's idempotency record.
    assert_eq!(common::item_count(&client, &table).await, 2);
    let _ = client.delete_table().table_name(&table).send().await;
}
