//! What the deleted tests share: the delivery, signing, calling the endpoint, and the
//! DynamoDB Local they may need.
#![allow(dead_code)] // each test binary uses a different part

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::Client;
use record_store::{InkitRecordStore, create_records_table};
use serde_json::{Value, json};
use webhook_endpoint::{Body, EndpointConfig, Request, SecretSource};
use webhook_verify::hmac_sha256;

use inkit_document_deleted as function;

pub const SECRET: &str = "inkit-webhook-secret-under-test";
pub const RESOURCE_ID: &str = "doc_2N0X2g4f3b1JJU75fqzDZs";
pub const OWN_EVENT_TYPE: &str = "DOCUMENT_DELETED";

pub fn delivery(event_type: &str, resource_id: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"event_type": event_type, "resource_id": resource_id})).unwrap()
}

pub fn own_event() -> Vec<u8> {
    delivery(OWN_EVENT_TYPE, RESOURCE_ID)
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

/// Calls the endpoint; the status, the `retry-after` header and the JSON body.
pub async fn call(
    records: Arc<dyn InkitRecordStore>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    let mut request = http::Request::builder().method("POST").uri(function::ROUTE);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request: Request = request.body(Body::Binary(body.to_vec())).unwrap();
    let response = function::endpoint(&configured(), records)
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
pub async fn signed(records: Arc<dyn InkitRecordStore>, body: &[u8]) -> (u16, Value) {
    let signature = signature(SECRET, body);
    let (status, _, body) = call(records, &[("inkit-signature", &signature)], body).await;
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
        "{}-{label}-{}-{nanos}-{}",
        function::FUNCTION_NAME,
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

/// The payload as API Gateway delivers it, signed with `secret`.
pub fn api_gateway_event(body: &[u8], secret: &str) -> Vec<u8> {
    let route = function::ROUTE;
    let event = json!({
        "version": "2.0",
        "routeKey": format!("POST {route}"),
        "rawPath": route,
        "rawQueryString": "",
        "headers": {
            "content-type": "application/json",
            "host": "abc123defg.execute-api.eu-west-1.amazonaws.com",
            "user-agent": "Inkit-Webhooks/1.0",
            "inkit-signature": signature(secret, body)
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
                "userAgent": "Inkit-Webhooks/1.0"
            },
            "requestId": "Gm8dAkJjDoEERnx=",
            "routeKey": format!("POST {route}"),
            "stage": "$default",
            "time": "20/Nov/2026:09:52:44 +0000",
            "timeEpoch": 1795168364118u64
        },
        "body": std::str::from_utf8(body).unwrap(),
        "isBase64Encoded": false
    });
    serde_json::to_vec(&event).unwrap()
}
