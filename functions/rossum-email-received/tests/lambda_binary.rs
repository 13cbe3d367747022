//! The built Lambda binary, started as Lambda starts it, answering the sample payload wrapped
//! in an API Gateway HTTP API (v2) event through the real lambda_http event path: recording
//! the email in its records table, and refusing with 503 while that table is not configured.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{EMAIL_URL, all_items, drop_table, dynamodb_endpoint, records_table};
use lambda_runtime_stub::{Outcome, RuntimeApi};
use record_store::DynamoRecordStore;
use serde_json::{Value, json};
use webhook_verify::hmac_sha256;

const BINARY: &str = env!("CARGO_BIN_EXE_rossum-email-received");
const PAYLOAD: &[u8] = include_bytes!("../../../events/payloads/rossum-email-received.json");
/// The signed sample event users invoke the function with.
const EVENT: &[u8] = include_bytes!("../../../events/rossum-email-received.json");
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
    let route = rossum_email_received::ROUTE;
    let signature: String = hmac_sha256(secret.as_bytes(), body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let event = json!({
        "version": "2.0",
        "routeKey": format!("POST {route}"),
        "rawPath": route,
        "rawQueryString": "",
        "headers": {
            "content-type": "application/json",
            "host": "abc123defg.execute-api.eu-west-1.amazonaws.com",
            "user-agent": "Rossum/webhook",
            "x-rossum-signature-sha256": format!("sha256={signature}")
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123defg",
            "domainName": "abc123defg.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "abc123defg",
            "http": {
                "method": "POST",
                "path": route,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": "Rossum/webhook"
            },
            "requestId": "Cz2aYhGgDoEENkx=",
            "routeKey": format!("POST {route}"),
            "stage": "$default",
            "time": "16/Nov/2026:10:03:31 +0000",
            "timeEpoch": 1794823411482u64
        },
        "body": std::str::from_utf8(body).unwrap(),
        "isBase64Encoded": false
    });
    serde_json::to_vec(&event).unwrap()
}

/// Invokes and returns the API Gateway proxy response's status and JSON body.
async fn invoke(api: &RuntimeApi, event: &[u8]) -> (u16, Value) {
    match api
        .invoke(event, Duration::from_secs(20))
        .await
        .expect("the function answers")
    {
        Outcome::Response(response) => {
            let status = response["statusCode"].as_u64().expect("a proxy response") as u16;
            let body = serde_json::from_str(response["body"].as_str().expect("a body"))
                .expect("a JSON body");
            (status, body)
        }
        Outcome::Error(error) => {
            panic!("the function reported an error instead of answering: {error}")
        }
    }
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
    assert_eq!(all_items(&client, &table).await.len(), 1);
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
        logs.contains("already_present"),
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
