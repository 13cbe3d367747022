//! The built Lambda binary, started as Lambda starts it, answering the sample payload wrapped
//! in an API Gateway HTTP API (v2) event through the real lambda_http event path: recording
//! the email in its records table, and refusing with 503 while that table is not configured.

use super::common;

use std::path::Path;

use common::{EMAIL_URL, all_items, drop_table, dynamodb_endpoint, records_table};
use lambda_runtime_stub::RuntimeApi;
use record_store::DynamoRecordStore;
use serde_json::json;
use webhook_test_support::{invoke, rossum_signature};

const BINARY: &str = env!("CARGO_BIN_EXE_rossum-email-received");
const PAYLOAD: &[u8] = include_bytes!("../../../../../events/payloads/rossum-email-received.json");
/// The signed sample event users invoke the function with.
const EVENT: &[u8] = include_bytes!("../../../../../events/rossum-email-received.json");
const DEVELOPMENT_SECRET: &str = "rossum-development-secret";
/// What the sample carries that must never reach a log: the secret, the API token,
/// addresses, the subject and file names.
const PRIVATE: &[&str] = &[
    DEVELOPMENT_SECRET,
    "5f2c0d9e81a4b37c6e0f1a2b3c4d5e6f7a8b9c0d",
    "Jana.Novakova@stavby-novak.example",
    "petra.svobodova@buyer-manufacturing.example",
    "invoices-7f3a2c@example.rossum.app",
    "Faktura FV-2026-0457",
    "FV-2026-0457.pdf",
    "dodaci-list-DL-2026-1183.jpg",
];

/// The payload as API Gateway delivers it, signed with `secret` (for forgeries).
fn api_gateway_event(body: &[u8], secret: &str) -> Vec<u8> {
    webhook_test_support::api_gateway_event(
        rossum_functions::email_received::ROUTE,
        &[
            ("user-agent", "Rossum/webhook"),
            ("x-rossum-signature-sha256", &rossum_signature(secret, body)),
        ],
        body,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_answers_a_signed_email_records_it_once_and_refuses_a_forged_one() {
    let (client, table) = records_table("binary").await;
    let endpoint = dynamodb_endpoint();
    let api = RuntimeApi::start().await.unwrap();
    let process = api
        .spawn_function(
            Path::new(BINARY),
            "rossum-email-received",
            &[
                ("ROSSUM_HOOK_SECRET", DEVELOPMENT_SECRET),
                ("RECORDS_TABLE", &table),
                ("DYNAMODB_ENDPOINT", &endpoint),
                ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
            ],
        )
        .unwrap();

    for _ in 0..2 {
        let (status, body) = invoke(&api, EVENT).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["files"],
            json!([{"id": "1", "values": []}, {"id": "3", "values": []}])
        );
        assert_eq!(
            body["extracted_original_sender"]["email"],
            "Jana.Novakova@stavby-novak.example"
        );
    }
    // The email record and the delivery's idempotency record.
    assert_eq!(all_items(&client, &table).await.len(), 2);
    let record = DynamoRecordStore::new(client.clone(), &table)
        .email(EMAIL_URL)
        .await
        .unwrap()
        .expect("recorded");
    assert_eq!(record.files_imported, ["1", "3"]);

    let (status, body) = invoke(&api, &api_gateway_event(PAYLOAD, "a guessed secret")).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "signature_mismatch");

    let logs = process.stop();
    assert!(logs.contains("\"status\":200"), "{logs}");
    assert!(logs.contains("signature_mismatch"), "{logs}");
    assert!(
        logs.contains("replaying the stored answer"),
        "the redelivery is logged: {logs}"
    );
    for private in PRIVATE {
        assert!(!logs.contains(private), "{private} reached the log: {logs}");
    }
    drop_table(&client, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_records_table_emails_are_refused_with_503() {
    let api = RuntimeApi::start().await.unwrap();
    let process = api
        .spawn_function(
            Path::new(BINARY),
            "rossum-email-received",
            &[
                ("ROSSUM_HOOK_SECRET", DEVELOPMENT_SECRET),
                ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
            ],
        )
        .unwrap();
    let (status, body) = invoke(&api, EVENT).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable");

    let logs = process.stop();
    assert!(
        logs.contains("RECORDS_TABLE is not set"),
        "start-up says what is missing: {logs}"
    );
    for private in PRIVATE {
        assert!(!logs.contains(private), "{private} reached the log: {logs}");
    }
}
