//! What the create-finished tests share: the delivery, signing, calling the endpoint with a
//! store and an Inkit client, and the DynamoDB Local they may need.
#![allow(dead_code, unused_imports)] // each test binary uses a different part

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use inkit_client::InkitApi;
use inkit_client::stand_in::InkitStandIn;
use inkit_functions::document_create_finished::PendingDetails;
use record_store::InkitRecordStore;
use serde_json::{Value, json};
use webhook_endpoint::EndpointConfig;

pub use webhook_test_support::inkit_signature as signature;
pub use webhook_test_support::{dynamodb_endpoint, item_count};

pub const SECRET: &str = "inkit-webhook-secret-under-test";
pub const RESOURCE_ID: &str = "doc_2N0X2g4f3b1JJU75fqzDZs";

/// Per attempt and overall, short so that a hanging Inkit costs the tests little.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(300);
pub const DEADLINE: Duration = Duration::from_millis(1200);

pub fn delivery(event_type: &str, resource_id: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"event_type": event_type, "resource_id": resource_id})).unwrap()
}

pub fn finished() -> Vec<u8> {
    delivery("DOCUMENT_CREATE_FINISHED", RESOURCE_ID)
}

pub fn configured() -> EndpointConfig {
    webhook_test_support::config(&[("INKIT_WEBHOOK_SECRET", SECRET)])
}

/// A client of the stand-in with short timeouts.
pub fn inkit_of(stand_in: &InkitStandIn) -> Arc<dyn InkitApi> {
    Arc::new(inkit_client::InkitClient::new(stand_in.config(ATTEMPT_TIMEOUT, DEADLINE)).unwrap())
}

/// Calls the endpoint; the status, the `retry-after` header and the JSON body.
pub async fn call(
    records: Arc<dyn InkitRecordStore>,
    inkit: Arc<dyn InkitApi>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    call_with(
        records,
        inkit,
        Arc::new(PendingHandedOver::default()),
        headers,
        body,
    )
    .await
}

/// [`call`], with `pending` completing the details the delivery could not fetch.
pub async fn call_with(
    records: Arc<dyn InkitRecordStore>,
    inkit: Arc<dyn InkitApi>,
    pending: Arc<dyn PendingDetails>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    let endpoint = inkit_functions::document_create_finished::endpoint(
        &configured(),
        records,
        inkit,
        pending,
        fresh_idempotency_store(),
    );
    webhook_test_support::respond(&endpoint, headers, body).await
}

/// Keeps the resources whose details were handed over for later, as the stream does.
#[derive(Default)]
pub struct PendingHandedOver(pub std::sync::Mutex<Vec<String>>);

impl PendingDetails for PendingHandedOver {
    fn details_pending(&self, resource_id: &str, _reason: &str) {
        self.0.lock().unwrap().push(resource_id.to_owned());
    }
}

/// Calls the endpoint with a valid signature.
pub async fn signed(
    records: Arc<dyn InkitRecordStore>,
    inkit: Arc<dyn InkitApi>,
    body: &[u8],
) -> (u16, Value) {
    let signature = signature(SECRET, body);
    let (status, _, body) = call(records, inkit, &[("inkit-signature", &signature)], body).await;
    (status, body)
}

/// A client of DynamoDB Local and a new records table whose name no other test uses.
pub async fn records_table(label: &str) -> (Client, String) {
    webhook_test_support::records_table("inkit-finished", label).await
}

/// The payload as API Gateway delivers it, signed with `secret`.
pub fn api_gateway_event(body: &[u8], secret: &str) -> Vec<u8> {
    webhook_test_support::api_gateway_event(
        inkit_functions::document_create_finished::ROUTE,
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
