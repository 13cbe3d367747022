//! What the deleted tests share: the delivery, signing, calling the endpoint, and the
//! DynamoDB Local they may need.
#![allow(dead_code, unused_imports)] // each test binary uses a different part

use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use record_store::InkitRecordStore;
use serde_json::{Value, json};
use webhook_endpoint::EndpointConfig;

pub use webhook_test_support::inkit_signature as signature;
pub use webhook_test_support::{dynamodb_endpoint, item_count};

use inkit_document_deleted as function;

pub const SECRET: &str = "inkit-webhook-secret-under-test";
pub const RESOURCE_ID: &str = "doc_2N0X2g4f3b1JJU75fqzDZs";
pub const OWN_EVENT_TYPE: &str = "DOCUMENT_DELETED";

pub fn delivery(event_type: &str, resource_id: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"event_type": event_type, "resource_id": resource_id})).unwrap()
}

pub fn own_event() -> Vec<u8> {
    delivery(OWN_EVENT_TYPE, RESOURCE_ID)
}

pub fn configured() -> EndpointConfig {
    webhook_test_support::config(&[("INKIT_WEBHOOK_SECRET", SECRET)])
}

/// Calls the endpoint; the status, the `retry-after` header and the JSON body.
pub async fn call(
    records: Arc<dyn InkitRecordStore>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    let endpoint = function::endpoint(&configured(), records, fresh_idempotency_store());
    webhook_test_support::respond(&endpoint, headers, body).await
}

/// Calls the endpoint with a valid signature.
pub async fn signed(records: Arc<dyn InkitRecordStore>, body: &[u8]) -> (u16, Value) {
    let signature = signature(SECRET, body);
    let (status, _, body) = call(records, &[("inkit-signature", &signature)], body).await;
    (status, body)
}

/// A client of DynamoDB Local and a new records table whose name no other test uses.
pub async fn records_table(label: &str) -> (Client, String) {
    webhook_test_support::records_table(function::FUNCTION_NAME, label).await
}

/// The payload as API Gateway delivers it, signed with `secret`.
pub fn api_gateway_event(body: &[u8], secret: &str) -> Vec<u8> {
    webhook_test_support::api_gateway_event(
        function::ROUTE,
        &[
            ("user-agent", "Inkit-Webhooks/1.0"),
            ("inkit-signature", &signature(secret, body)),
        ],
        body,
    )
}

/// An empty idempotency store: each call is a first delivery as far as the guard knows, so
/// these tests see what the records store itself does with a redelivery.
pub fn fresh_idempotency_store() -> std::sync::Arc<dyn idempotency::IdempotencyStore> {
    std::sync::Arc::new(idempotency::InMemoryIdempotencyStore::new())
}
