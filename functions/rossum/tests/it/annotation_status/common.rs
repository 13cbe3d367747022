//! What the status tests share: the sample delivery, signing, calling the endpoint, and the
//! DynamoDB Local they may need.
#![allow(dead_code, unused_imports)] // each test binary uses a different part

use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use record_store::RecordStore;
use serde_json::Value;
use webhook_endpoint::EndpointConfig;

pub use webhook_test_support::rossum_signature as signature;
pub use webhook_test_support::{dynamodb_endpoint, item_count};

pub const SECRET: &str = "hook-secret-under-test";
pub const ANNOTATION_ID: u64 = 4480712;
pub const SAMPLE: &[u8] =
    include_bytes!("../../../../../events/payloads/rossum-annotation-status.json");

/// The sample `annotation_status.changed` payload (`exporting` -> `exported`).
pub fn status_payload() -> Value {
    serde_json::from_slice(SAMPLE).unwrap()
}

pub fn bytes(payload: &Value) -> Vec<u8> {
    serde_json::to_vec(payload).unwrap()
}

pub fn configured() -> EndpointConfig {
    webhook_test_support::config(&[("ROSSUM_HOOK_SECRET", SECRET)])
}

/// Calls the endpoint; the status, the `retry-after` header and the JSON body.
pub async fn call(
    records: Arc<dyn RecordStore>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    let endpoint = rossum_functions::annotation_status::endpoint(
        &configured(),
        records,
        fresh_idempotency_store(),
    );
    webhook_test_support::respond(&endpoint, headers, body).await
}

/// Calls the endpoint with a valid signature.
pub async fn signed(records: Arc<dyn RecordStore>, body: &[u8]) -> (u16, Value) {
    let (status, _, body) = call(
        records,
        &[("x-rossum-signature-sha256", &signature(SECRET, body))],
        body,
    )
    .await;
    (status, body)
}

/// A client of DynamoDB Local and a new records table whose name no other test uses.
pub async fn records_table(label: &str) -> (Client, String) {
    webhook_test_support::records_table("status", label).await
}

/// An empty idempotency store: each call is a first delivery as far as the guard knows, so
/// these tests see what the records store itself does with a redelivery.
pub fn fresh_idempotency_store() -> std::sync::Arc<dyn idempotency::IdempotencyStore> {
    std::sync::Arc::new(idempotency::InMemoryIdempotencyStore::new())
}
