//! What the create-finished tests share: the delivery, signing, calling the endpoint with a
//! store and an Inkit client, and the DynamoDB Local they may need.
#![allow(dead_code)] // each test binary uses a different part

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::Client;
use inkit_client::InkitApi;
use inkit_client::stand_in::InkitStandIn;
use record_store::{InkitRecordStore, create_records_table};
use serde_json::{Value, json};
use webhook_endpoint::{Body, EndpointConfig, Request, SecretSource};
use webhook_verify::hmac_sha256;

pub const SECRET: &str = "inkit-webhook-secret-under-test";
pub const RESOURCE_ID: &str = "doc_2N0X2g4f3b1JJU75fqzDZs";

/// Per attempt and overall, short so that a hanging Inkit costs the tests little.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(300);
pub const DEADLINE: Duration = Duration::from_millis(1200);

pub fn delivery(event_type: &str, resource_id: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"event_type": event_type, "resource_id": resource_id})).unwrap()
}

pub fn finished() -> Vec<u8> {
    delivery("DOCUMENT_CREATE_FINISHED", RESOURCE_ID)
}

pub fn configured() -> EndpointConfig {
    EndpointConfig::from_lookup(SecretSource::Environment, |name| {
        (name == "INKIT_WEBHOOK_SECRET").then(|| SECRET.to_owned())
    })
}

/// `Inkit-Signature`: lowercase hex, no prefix.
pub fn signature(secret: &str, body: &[u8]) -> String {
    hmac_sha256(secret.as_bytes(), body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A client of the stand-in with short timeouts.
pub fn inkit_of(stand_in: &InkitStandIn) -> Arc<dyn InkitApi> {
    Arc::new(inkit_client::InkitClient::new(stand_in.config(ATTEMPT_TIMEOUT, DEADLINE)).unwrap())
}

/// Calls the endpoint; the status, the `retry-after` header and the JSON body.
pub async fn call(
    records: Arc<dyn InkitRecordStore>,
    inkit: Arc<dyn InkitApi>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    let mut request = http::Request::builder()
        .method("POST")
        .uri(inkit_document_create_finished::ROUTE);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request: Request = request.body(Body::Binary(body.to_vec())).unwrap();
    let response = inkit_document_create_finished::endpoint(&configured(), records, inkit)
        .handle(request)
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
pub async fn signed(
    records: Arc<dyn InkitRecordStore>,
    inkit: Arc<dyn InkitApi>,
    body: &[u8],
) -> (u16, Value) {
    let signature = signature(SECRET, body);
    let (status, _, body) = call(records, inkit, &[("inkit-signature", &signature)], body).await;
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
        "inkit-finished-{label}-{}-{nanos}-{}",
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
