//! What the export tests share: the export delivery built from the sample initialize payload,
//! signing, calling the endpoint, and the DynamoDB Local they may need.

use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use record_store::RecordStore;
use serde_json::{Value, json};

use crate::support::{self, RecordingEndpoint};

pub use crate::support::bytes;

pub const ENDPOINT: RecordingEndpoint = |config, records, idempotency| {
    support::recording(
        &rossum_functions::ANNOTATION_EXPORT,
        config,
        records,
        idempotency,
    )
};
pub const ANNOTATION_ID: u64 = 4480712;
pub const VENDOR_MATCH_ID: u64 = 6600015;
pub const AMOUNT_TOTAL_ID: u64 = 6600023;
pub const CURRENCY_ID: u64 = 6600024;
const INITIALIZE: &[u8] =
    include_bytes!("../../../../../events/payloads/rossum-annotation-initialize.json");

/// The sample annotation as Rossum sends it on export: after initialize matched the vendor,
/// confirmed by a user, status `exporting`.
pub fn export_payload() -> Value {
    let mut payload: Value = serde_json::from_slice(INITIALIZE).unwrap();
    payload["action"] = json!("export");
    payload["request_id"] = json!("b7d41e09-5c2a-4f3e-9a86-0e4f7c1d2b93");
    payload["timestamp"] = json!("2026-11-20T09:52:44.118204Z");
    payload["annotation"]["status"] = json!("exporting");
    payload["annotation"]["previous_status"] = json!("confirmed");
    let vendor = datapoint(&mut payload, VENDOR_MATCH_ID);
    vendor["content"]["value"] = json!("V-10027");
    vendor["options"] =
        json!([{"value": "V-10027", "label": "Northwind Consulting B.V., Amsterdam (V-10027)"}]);
    payload
}

/// The node with this id, to edit.
pub fn datapoint(payload: &mut Value, id: u64) -> &mut Value {
    fn find(nodes: &mut Value, id: u64) -> Option<&mut Value> {
        for node in nodes.as_array_mut()? {
            if node["id"] == json!(id) {
                return Some(node);
            }
            // `get_mut`, not indexing: indexing a missing key would insert `null`.
            if let Some(found) = node.get_mut("children").and_then(|c| find(c, id)) {
                return Some(found);
            }
        }
        None
    }
    find(&mut payload["annotation"]["content"], id).unwrap_or_else(|| panic!("no node {id}"))
}

/// Calls the endpoint with a valid signature.
pub async fn signed(records: Arc<dyn RecordStore>, body: &[u8]) -> (u16, Value) {
    support::signed(ENDPOINT, records, body).await
}

/// A client of DynamoDB Local and a new records table whose name no other test uses.
pub async fn records_table(label: &str) -> (Client, String) {
    webhook_test_support::records_table("export", label).await
}
