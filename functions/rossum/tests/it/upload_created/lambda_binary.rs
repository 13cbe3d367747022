//! The built Lambda binary, started as Lambda starts it, answering the signed sample event
//! (an API Gateway HTTP API v2 event) through the real lambda_http event path: the same
//! answer to a redelivery with nothing stored but the delivery's idempotency record, and 503
//! while the records table that holds those records is not configured.

use std::path::Path;

use lambda_runtime_stub::RuntimeApi;
use serde_json::json;
use webhook_test_support::{
    all_items, drop_table, dynamodb_endpoint, invoke, records_table, rossum_signature,
};

const BINARY: &str = env!("CARGO_BIN_EXE_rossum-upload-created");
const PAYLOAD: &[u8] = include_bytes!("../../../../../events/payloads/rossum-upload-created.json");
/// The signed sample event users invoke the function with.
const EVENT: &[u8] = include_bytes!("../../../../../events/rossum-upload-created.json");
const DEVELOPMENT_SECRET: &str = "rossum-development-secret";
/// What the sample carries that must never reach a log: the secret, the API token, file
/// names.
const PRIVATE: &[&str] = &[
    DEVELOPMENT_SECRET,
    "8c1e4a7f2d9b05c3e6a1f4b7d0c2e5a8f1b4d7c0",
    "INV-2026-10873.pdf",
    "Jana Novakova.vcf",
    "invite.ics",
];

fn forged_event() -> Vec<u8> {
    webhook_test_support::api_gateway_event(
        rossum_functions::upload_created::ROUTE,
        &[
            ("user-agent", "Rossum/webhook"),
            (
                "x-rossum-signature-sha256",
                &rossum_signature("a guessed secret", PAYLOAD),
            ),
        ],
        PAYLOAD,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_answers_the_sample_once_replays_it_and_refuses_a_forged_one() {
    let (client, table) = records_table("upload", "binary").await;
    let endpoint = dynamodb_endpoint();
    let api = RuntimeApi::start().await.unwrap();
    let process = api
        .spawn_function(
            Path::new(BINARY),
            "rossum-upload-created",
            &[
                ("ROSSUM_HOOK_SECRET", DEVELOPMENT_SECRET),
                ("RECORDS_TABLE", &table),
                ("DYNAMODB_ENDPOINT", &endpoint),
                ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
            ],
        )
        .unwrap();

    let documents = "https://example.rossum.app/api/v1/documents";
    for _ in 0..2 {
        let (status, body) = invoke(&api, EVENT).await;
        assert_eq!(status, 200, "{body}");
        let prevented: Vec<_> = body["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["document"].clone(), f["prevent_importing"].clone()))
            .collect();
        assert_eq!(
            prevented,
            [
                (json!(format!("{documents}/3312101")), json!(false)),
                (json!(format!("{documents}/3312102")), json!(true)),
                (json!(format!("{documents}/3312103")), json!(true)),
                (json!(format!("{documents}/3312104")), json!(true)),
            ]
        );
    }
    // Only the delivery's idempotency record.
    let items = all_items(&client, &table).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(
        items[0]["pk"]
            .as_s()
            .unwrap()
            .starts_with("IDEMPOTENCY#rossum-upload-created#")
    );

    let (status, body) = invoke(&api, &forged_event()).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "signature_mismatch");

    let logs = process.stop();
    assert!(logs.contains("\"status\":200"), "{logs}");
    assert!(logs.contains("upload triaged"), "{logs}");
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
async fn without_a_records_table_uploads_are_refused_with_503() {
    let api = RuntimeApi::start().await.unwrap();
    let process = api
        .spawn_function(
            Path::new(BINARY),
            "rossum-upload-created",
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
