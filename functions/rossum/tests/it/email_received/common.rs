//! What the email tests share: the sample, signing and calling the endpoint with a records
//! store, and the DynamoDB Local some of them need (a fresh records table per test).

use std::sync::Arc;

use record_store::{EmailRecord, RecordStore, Timestamp};
use serde_json::Value;
use webhook_endpoint::EndpointConfig;
use webhook_test_support::RecordsTable;

use crate::support::{self, RecordingEndpoint};

pub use crate::support::configured;

pub const ENDPOINT: RecordingEndpoint = |config, records, idempotency| {
    support::recording(
        &rossum_functions::EMAIL_RECEIVED,
        config,
        records,
        idempotency,
    )
};
support::samples!("rossum-email-received");
/// What the sample carries that must never reach a log: the API token, addresses, the subject
/// and file names.
pub const PRIVATE: &[&str] = &[
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

/// The record of the sample email, as its first delivery writes it.
pub fn sample_record() -> EmailRecord {
    let text = |text: &str| Some(text.to_owned());
    EmailRecord {
        email_url: EMAIL_URL.to_owned(),
        email_id: Some(1204418),
        queue: text("https://example.rossum.app/api/v1/queues/24710"),
        from: text("Petra Svobodová <petra.svobodova@buyer-manufacturing.example>"),
        to: text("invoices-7f3a2c@example.rossum.app"),
        // Null in the sample: null headers are not recorded.
        reply_to: None,
        subject: text("Fwd: Faktura FV-2026-0457 / Invoice FV-2026-0457"),
        message_id: text("<CAF3x9Tq1k2L7bU0mZr+8hWcN4yQe5s6PjVd0aK1oR2t3u4v5w@mail.gmail.com>"),
        date: text("Mon, 16 Nov 2026 11:03:27 +0100"),
        received_at: Timestamp::parse("2026-11-16T10:03:31.482915Z").unwrap(),
        request_id: "0c5f7d3e-9b1a-4c8e-a2d6-3f4b5c6d7e81".to_owned(),
        files_total: 5,
        files_imported: vec!["1".to_owned(), "3".to_owned()],
        files_dropped: 3,
        extracted_original_sender_email: text("Jana.Novakova@stavby-novak.example"),
        extracted_original_sender_name: text("Jana Nováková"),
    }
}

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

/// A new records table in DynamoDB Local whose name no other test uses, and its store.
pub async fn records_table(label: &str) -> RecordsTable {
    RecordsTable::new("email", label).await
}
