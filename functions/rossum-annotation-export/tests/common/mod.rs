//! What the export tests share: the export delivery built from the sample initialize payload,
//! signing, calling the endpoint, and the DynamoDB Local they may need.
#![allow(dead_code)] // each test binary uses a different part

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::Client;
use record_store::{RecordStore, create_records_table};
use serde_json::{Value, json};
use webhook_endpoint::{Body, EndpointConfig, Request, SecretSource};
use webhook_verify::hmac_sha256;

pub const SECRET: &str = "hook-secret-under-test";
pub const ANNOTATION_ID: u64 = 4480712;
pub const VENDOR_MATCH_ID: u64 = 6600015;
pub const AMOUNT_TOTAL_ID: u64 = 6600023;
pub const CURRENCY_ID: u64 = 6600024;
const INITIALIZE: &[u8] =
    include_bytes!("../../../../events/payloads/rossum-annotation-initialize.json");

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

pub fn bytes(payload: &Value) -> Vec<u8> {
    serde_json::to_vec(payload).unwrap()
}

pub fn configured() -> EndpointConfig {
    EndpointConfig::from_lookup(SecretSource::Environment, |name| {
        (name == "ROSSUM_HOOK_SECRET").then(|| SECRET.to_owned())
    })
}

pub fn signature(secret: &str, body: &[u8]) -> String {
    let hex: String = hmac_sha256(secret.as_bytes(), body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

fn request(headers: &[(&str, &str)], body: &[u8]) -> Request {
    let mut builder = http::Request::builder()
        .method("POST")
        .uri(rossum_annotation_export::ROUTE);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::Binary(body.to_vec())).unwrap()
}

/// Calls the endpoint; the status, the `retry-after` header and the JSON body.
pub async fn call(
    records: Arc<dyn RecordStore>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    let response = rossum_annotation_export::endpoint(&configured(), records)
        .handle(request(headers, body))
        .await;
    assert_eq!(response.headers()["content-type"], "application/json");
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let status = response.status().as_u16();
    let body: Value = serde_json::from_slice(response.body()).expect("every answer is JSON");
    (status, retry_after, body)
}

/// Calls the endpoint with a valid signature.
pub async fn signed(records: Arc<dyn RecordStore>, body: &[u8]) -> (u16, Value) {
    let (status, _, body) = call(
        records,
        &[("x-rossum-signature-sha256", &signature(SECRET, body))],
        body,
    )
    .await;
    (status, body)
}

/// The endpoint of the DynamoDB Local these tests need; its absence fails the test, loudly.
pub fn dynamodb_endpoint() -> String {
    match std::env::var("DYNAMODB_ENDPOINT") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "DYNAMODB_ENDPOINT is not set: these tests run against DynamoDB Local. Run ./scripts/test, \
             or first `export DYNAMODB_ENDPOINT=$(scripts/dynamodb-local start)`"
        ),
    }
}

/// A client of DynamoDB Local and a new records table whose name no other test uses.
pub async fn records_table(label: &str) -> (Client, String) {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let client = dynamodb_store::connect(Some(&dynamodb_endpoint())).await;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let table = format!(
        "export-{label}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    create_records_table(&client, &table)
        .await
        .unwrap_or_else(|e| panic!("creating {table}: {e}"));
    (client, table)
}

/// How many items the table holds (tests only: a Scan reads the whole table).
pub async fn item_count(client: &Client, table: &str) -> usize {
    client
        .scan()
        .table_name(table)
        .consistent_read(true)
        .send()
        .await
        .expect("scan")
        .items()
        .len()
}
