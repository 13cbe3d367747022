//! The built Lambda binary, started as Lambda starts it, answering the `events/` sample
//! through the real lambda_http event path (API Gateway HTTP API v2 in, proxy response out).

use serde_json::Value;
use webhook_test_support::binary::start;
use webhook_test_support::invoke;

use crate::support::{DEVELOPMENT_SECRET, SECRET_VAR};

pub const BINARY: &str = env!("CARGO_BIN_EXE_rossum-annotation-updated");
pub const NAME: &str = "rossum-annotation-updated";
pub const EVENT: &[u8] = include_bytes!("../../../../../events/rossum-annotation-updated.json");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_answers_the_sample_event_and_refuses_a_tampered_one() {
    let (api, process) = start(
        BINARY,
        NAME,
        &[SECRET_VAR, ("AWS_LAMBDA_LOG_FORMAT", "JSON")],
    )
    .await;

    let (status, body) = invoke(&api, EVENT).await;
    assert_eq!(status, 200, "{body}");
    let replaced: Vec<u64> = body["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| op["id"].as_u64().unwrap())
        .collect();
    assert_eq!(replaced, vec![6601015, 6601035]);

    // The same event with one byte of the body changed: the signature no longer matches.
    let mut event: Value = serde_json::from_slice(EVENT).unwrap();
    let tampered = event["body"]
        .as_str()
        .unwrap()
        .replacen("ZERO RATED", "ZERO RATEX", 1);
    event["body"] = Value::String(tampered);
    let (status, body) = invoke(&api, &serde_json::to_vec(&event).unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "signature_mismatch");

    // The body base64-encoded, as API Gateway sends bodies it considers binary.
    let mut event: Value = serde_json::from_slice(EVENT).unwrap();
    let raw = event["body"].as_str().unwrap().to_owned();
    event["body"] = Value::String(base64(raw.as_bytes()));
    event["isBase64Encoded"] = Value::Bool(true);
    let (status, _) = invoke(&api, &serde_json::to_vec(&event).unwrap()).await;
    assert_eq!(status, 200);

    let logs = process.stop();
    assert!(
        logs.contains("\"status\":200"),
        "one JSON log line per request: {logs}"
    );
    assert!(logs.contains("signature_mismatch"), "{logs}");
    let signature = event["headers"]["x-rossum-signature-sha256"]
        .as_str()
        .unwrap();
    assert!(
        !logs.contains(signature.trim_start_matches("sha256=")),
        "signatures never reach the log"
    );
    assert!(
        !logs.contains(DEVELOPMENT_SECRET),
        "secrets never reach the log"
    );
    assert!(
        !logs.contains("1024873d424a007d8eebff7b3684d283abdf7d0d"),
        "the Rossum token never reaches the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_binary_without_its_secret_refuses_deliveries_with_500() {
    let (api, _process) = start(BINARY, NAME, &[]).await;
    let (status, body) = invoke(&api, EVENT).await;
    assert_eq!(status, 500);
    assert_eq!(body["error"], "not_configured");
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
