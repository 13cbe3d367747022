//! What the email tests share: the sample, signing and calling the endpoint with a records
//! store, and the DynamoDB Local some of them need (a fresh records table per test).

use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use record_store::RecordStore;
use serde_json::Value;
use webhook_endpoint::EndpointConfig;

use crate::support::{self, RecordingEndpoint};

pub use crate::support::configured;
pub use webhook_test_support::{all_items, drop_table};

pub const ENDPOINT: RecordingEndpoint = |config, records, idempotency| {
    support::recording(
        &rossum_functions::EMAIL_RECEIVED,
        config,
        records,
        idempotency,
    )
};
pub const SAMPLE: &[u8] =
    include_bytes!("../../../../../events/payloads/rossum-email-received.json");
/// The signed sample event users invoke the function with.
pub const EVENT: &[u8] = include_bytes!("../../../../../events/rossum-email-received.json");
/// What the sample carries that must never reach a log: the secret, the API token,
/// addresses, the subject and file names.
pub const PRIVATE: &[&str] = &[
    crate::support::DEVELOPMENT_SECRET,
    "5f2c0d9e81a4b37c6e0f1a2b3c4d5e6f7a8b9c0d",
    "Jana.Novakova@stavby-novak.example",
    "petra.svobodova@buyer-manufacturing.example",
    "invoices-7f3a2c@example.rossum.app",
    "Faktura FV-2026-0457",
    "FV-2026-0457.pdf",
    "dodaci-list-DL-2026-1183.jpg",
];
/// The sample email's URL (`email` in the sample payload).
pub const EMAIL_URL: &str = "https://example.rossum.app/api/v1/emails/1204418";

/// The sample after `edit`.
pub fn with(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    support::edited(SAMPLE, edit)
}

/// The ids of the files answered (those Rossum is to import).
pub fn imported_ids(body: &Value) -> Vec<&str> {
    body["files"]
        .as_array()
        .expect("a files list")
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect()
}

/// Calls the endpoint; the status, the `retry-after` header and the JSON body.
pub async fn call_with(
    config: &EndpointConfig,
    records: Arc<dyn RecordStore>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    support::call(ENDPOINT, config, records, headers, body).await
}

/// Calls the endpoint with a valid signature, recording in `records`.
pub async fn signed_to(records: Arc<dyn RecordStore>, body: &[u8]) -> (u16, Value) {
    support::signed(ENDPOINT, records, body).await
}

/// A client of DynamoDB Local and a new records table whose name no other test uses.
pub async fn records_table(label: &str) -> (Client, String) {
    webhook_test_support::records_table("email", label).await
}
