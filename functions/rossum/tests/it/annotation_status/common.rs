//! What the status tests share: the sample delivery, signing, calling the endpoint, and the
//! DynamoDB Local they may need.

use std::sync::Arc;

use record_store::{RecordStore, StatusChange};
use serde_json::{Value, json};
use webhook_test_support::RecordsTable;

use crate::support::{self, RecordingEndpoint};

pub use crate::support::{ANNOTATION_ID, SECRET, bytes, signature};

pub const ENDPOINT: RecordingEndpoint = |config, records, idempotency| {
    support::recording(
        &rossum_functions::ANNOTATION_STATUS,
        config,
        records,
        idempotency,
    )
};
support::samples!("rossum-annotation-status");

/// The sample `annotation_status.changed` payload (`exporting` -> `exported`).
pub fn status_payload() -> Value {
    serde_json::from_slice(SAMPLE).unwrap()
}

/// The answer to a change recorded for the first time, the `latest` one or not.
pub fn recorded(latest: bool) -> Value {
    json!({"recorded": true, "latest": latest})
}

/// The answer to a change that was recorded before.
pub fn already_recorded() -> Value {
    json!({"recorded": false, "duplicate": true})
}

/// Calls the endpoint with a valid signature.
pub async fn signed(records: Arc<dyn RecordStore>, body: &[u8]) -> (u16, Value) {
    support::signed(ENDPOINT, records, body).await
}

/// The status changes of the sample annotation in `records`, oldest first.
pub async fn history(records: &RecordsTable) -> Vec<StatusChange> {
    records.store.status_history(ANNOTATION_ID).await.unwrap()
}

/// The latest status change of the sample annotation in `records`.
pub async fn latest(records: &RecordsTable) -> StatusChange {
    let latest = records.store.latest_status(ANNOTATION_ID).await.unwrap();
    latest.expect("a latest status")
}

/// A new records table in DynamoDB Local whose name no other test uses, and its store.
pub async fn records_table(label: &str) -> RecordsTable {
    RecordsTable::new("status", label).await
}
