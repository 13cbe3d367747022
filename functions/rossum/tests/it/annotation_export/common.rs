//! What the export tests share: the export delivery built from the sample initialize payload,
//! signing, calling the endpoint, and the DynamoDB Local they may need.

use std::sync::Arc;

use record_store::{Amount, ExportRecord, RecordStore, Timestamp};
use serde_json::{Value, json};
use webhook_test_support::RecordsTable;

use crate::support::{self, RecordingEndpoint};

pub use crate::support::{AMOUNT_TOTAL_ID, ANNOTATION_ID, CURRENCY_ID, VENDOR_MATCH_ID, bytes};

pub const ENDPOINT: RecordingEndpoint = |config, records, idempotency| {
    support::recording(
        &rossum_functions::ANNOTATION_EXPORT,
        config,
        records,
        idempotency,
    )
};

/// The sample annotation as Rossum sends it on export: after initialize matched the vendor,
/// confirmed by a user, status `exporting`.
pub fn export_payload() -> Value {
    let mut payload = support::initialize_sample();
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

/// The record the export of [`export_payload`] writes: what the ERP needs.
pub fn sample_export_record() -> ExportRecord {
    let amount = |raw: &str, value: f64| {
        Some(Amount {
            raw: raw.to_owned(),
            value: Some(value),
        })
    };
    ExportRecord {
        annotation_id: ANNOTATION_ID,
        document_id: Some(3309021),
        vendor_id: "V-10027".to_owned(),
        amount_total: amount("3085.08", 3085.08),
        amount_total_tax: amount("461.58", 461.58),
        amount_total_base: amount("2623.50", 2623.5),
        currency: Some("EUR".to_owned()),
        exported_at: Timestamp::parse("2026-11-20T09:52:44.118204Z").unwrap(),
        request_id: "b7d41e09-5c2a-4f3e-9a86-0e4f7c1d2b93".to_owned(),
    }
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

/// The export record of the sample annotation in `records`, which must exist.
pub async fn recorded_export(records: &RecordsTable) -> ExportRecord {
    let record = records.store.export(ANNOTATION_ID).await.unwrap();
    record.expect("the export's record")
}

/// A new records table in DynamoDB Local whose name no other test uses, and its store.
pub async fn records_table(label: &str) -> RecordsTable {
    RecordsTable::new("export", label).await
}
