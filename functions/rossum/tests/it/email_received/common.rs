//! What the endpoint tests share: signing and calling the endpoint with a records store, and
//! the DynamoDB Local some of them need (its endpoint, a fresh records table per test, reading
//! the table back).
#![allow(dead_code, unused_imports)] // each test binary uses a different part

use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use record_store::RecordStore;
use serde_json::Value;
use webhook_endpoint::EndpointConfig;

pub use webhook_test_support::rossum_signature as signature;
pub use webhook_test_support::{all_items, config, drop_table, dynamodb_endpoint, hex};

pub const SECRET: &str = "hook-secret-under-test";
pub const SAMPLE: &[u8] =
    include_bytes!("../../../../../events/payloads/rossum-email-received.json");
/// The sample email's URL (`email` in the sample payload).
pub const EMAIL_URL: &str = "https://example.rossum.app/api/v1/emails/1204418";

pub fn configured() -> EndpointConfig {
    config(&[("ROSSUM_HOOK_SECRET", SECRET)])
}

/// Calls the endpoint; the status, the `retry-after` header and the JSON body.
pub async fn call_with(
    config: &EndpointConfig,
    records: Arc<dyn RecordStore>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    let endpoint =
        rossum_functions::email_received::endpoint(config, records, fresh_idempotency_store());
    webhook_test_support::respond(&endpoint, headers, body).await
}

/// Calls the endpoint with a valid signature, recording in `records`.
pub async fn signed_to(records: Arc<dyn RecordStore>, body: &[u8]) -> (u16, Value) {
    let (status, _, answer) = call_with(
        &configured(),
        records,
        &[("x-rossum-signature-sha256", &signature(SECRET, body))],
        body,
    )
    .await;
    (status, answer)
}

/// A client of DynamoDB Local and a new records table whose name no other test uses.
pub async fn records_table(label: &str) -> (Client, String) {
    webhook_test_support::records_table("email", label).await
}

/// An empty idempotency store: each call is a first delivery as far as the guard knows, so
/// these tests see what the records store itself does with a redelivery.
pub fn fresh_idempotency_store() -> std::sync::Arc<dyn idempotency::IdempotencyStore> {
    std::sync::Arc::new(idempotency::InMemoryIdempotencyStore::new())
}
