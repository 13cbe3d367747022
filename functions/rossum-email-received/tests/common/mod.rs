//! What the endpoint tests share: signing and calling the endpoint with a records store, and
//! the DynamoDB Local some of them need (its endpoint, a fresh records table per test, reading
//! the table back).
#![allow(dead_code)] // each test binary uses a different part

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use record_store::{RecordStore, create_records_table};
use serde_json::Value;
use webhook_endpoint::{Body, EndpointConfig, Request, SecretSource};
use webhook_verify::hmac_sha256;

pub const SECRET: &str = "hook-secret-under-test";
pub const SAMPLE: &[u8] = include_bytes!("../../../../events/payloads/rossum-email-received.json");
/// The sample email's URL (`email` in the sample payload).
pub const EMAIL_URL: &str = "https://example.rossum.app/api/v1/emails/1204418";

pub fn config(vars: &[(&str, &str)]) -> EndpointConfig {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    EndpointConfig::from_lookup(SecretSource::Environment, move |name| {
        vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
}

pub fn configured() -> EndpointConfig {
    config(&[("ROSSUM_HOOK_SECRET", SECRET)])
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `x-rossum-signature-sha256` value of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex(&hmac_sha256(secret.as_bytes(), body)))
}

fn request(headers: &[(&str, &str)], body: &[u8]) -> Request {
    let mut builder = http::Request::builder()
        .method("POST")
        .uri(rossum_email_received::ROUTE);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::Binary(body.to_vec())).unwrap()
}

/// Calls the endpoint; the status, the `retry-after` header and the JSON body.
pub async fn call_with(
    config: &EndpointConfig,
    records: Arc<dyn RecordStore>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    let response = rossum_email_received::endpoint(config, records)
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

/// Calls the endpoint with a valid signature, recording in `records`.
pub async fn signed_to(records: Arc<dyn RecordStore>, body: &[u8]) -> (u16, Value) {
    let (status, _, answer) = call_with(
        &configured(),
        records,
        &[("x-rossum-signature-sha256", &signature(SECRET, body))],
        body,
    )
    .await;
    (status, answer)
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
        "email-{label}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    create_records_table(&client, &table)
        .await
        .unwrap_or_else(|e| panic!("creating {table}: {e}"));
    (client, table)
}

/// Every item of the table (tests only: a Scan reads the whole table).
pub async fn all_items(client: &Client, table: &str) -> Vec<HashMap<String, AttributeValue>> {
    client
        .scan()
        .table_name(table)
        .consistent_read(true)
        .send()
        .await
        .expect("scan")
        .items()
        .to_vec()
}

pub async fn drop_table(client: &Client, table: &str) {
    // Frees DynamoDB Local's memory; a failure here says nothing about the code under test.
    let _ = client.delete_table().table_name(table).send().await;
}
