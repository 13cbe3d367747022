//! What the status tests share: the sample delivery, signing, calling the endpoint, and the
//! DynamoDB Local they may need.

use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use record_store::RecordStore;
use serde_json::Value;

use crate::support::{self, RecordingEndpoint};

pub use crate::support::{SECRET, bytes, signature};

pub const ENDPOINT: RecordingEndpoint = |config, records, idempotency| {
    support::recording(
        &rossum_functions::ANNOTATION_STATUS,
        config,
        records,
        idempotency,
    )
};
pub const ANNOTATION_ID: u64 = 4480712;
pub const SAMPLE: &[u8] =
    include_bytes!("../../../../../events/payloads/rossum-annotation-status.json");

/// The sample `annotation_status.changed` payload (`exporting` -> `exported`).
pub fn status_payload() -> Value {
    serde_json::from_slice(SAMPLE).unwrap()
}

/// Calls the endpoint with a valid signature.
pub async fn signed(records: Arc<dyn RecordStore>, body: &[u8]) -> (u16, Value) {
    support::signed(ENDPOINT, records, body).await
}

/// A client of DynamoDB Local and a new records table whose name no other test uses.
pub async fn records_table(label: &str) -> (Client, String) {
    webhook_test_support::records_table("status", label).await
}
