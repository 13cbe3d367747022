//! Helpers for the workspace's tests, and for nothing else: add this crate as a
//! `[dev-dependencies]` entry only.
//!
//! - [`dynamodb_endpoint`], [`client`], [`table_name`], [`records_table`], [`new_records_table`],
//!   [`new_master_data_table`], [`drop_table`], [`item_count`], [`all_items`]: the DynamoDB
//!   Local the integration tests run against, one fresh table per test, read back by Scan;
//!   [`RecordsTable`]: such a records table with the records store over it.
//! - [`hex`], [`rossum_signature`], [`inkit_signature`], [`bearer`]: the headers the webhook
//!   senders authenticate with.
//! - [`config`], [`request`], [`call`], [`respond`]: an endpoint configured from a list of
//!   variables, called in process.
//! - [`invoke`]: a built function binary called through the Lambda Runtime API stub;
//!   [`binary`]: that binary started as Lambda starts it, and what its log may not hold.
//! - [`fresh_idempotency_store`]: an endpoint's idempotency store that has seen nothing.
//! - [`inkit_recorder`]: the tests of the Inkit functions that record an event.

pub mod binary;
pub mod inkit_recorder;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_runtime_stub::RuntimeApi;
use record_store::DynamoRecordStore;
use serde_json::Value;
use webhook_endpoint::{Body, Endpoint, EndpointConfig, Request, SecretSource};
use webhook_verify::hmac_sha256;

pub use lambda_runtime_stub::api_gateway_event;

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

/// A client of DynamoDB Local.
pub async fn client() -> Client {
    dynamodb_support::connect(Some(&dynamodb_endpoint())).await
}

/// A table name no other test (or earlier run) uses: `<prefix>-<label>-<pid>-<nanos>-<n>`.
pub fn table_name(prefix: &str, label: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{prefix}-{label}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A new records table (created by `record_store::create_records_table`) named by
/// [`table_name`].
pub async fn new_records_table(client: &Client, prefix: &str, label: &str) -> String {
    let table = table_name(prefix, label);
    record_store::create_records_table(client, &table)
        .await
        .unwrap_or_else(|e| panic!("creating {table}: {e}"));
    table
}

/// A new master-data table (created by `master_data_store::create_master_data_table`) named by
/// [`table_name`].
pub async fn new_master_data_table(client: &Client, prefix: &str, label: &str) -> String {
    let table = table_name(prefix, label);
    master_data_store::create_master_data_table(client, &table)
        .await
        .unwrap_or_else(|e| panic!("creating {table}: {e}"));
    table
}

/// A client of DynamoDB Local and a new records table whose name no other test uses.
pub async fn records_table(prefix: &str, label: &str) -> (Client, String) {
    let client = client().await;
    let table = new_records_table(&client, prefix, label).await;
    (client, table)
}

/// Deletes the table, freeing DynamoDB Local's memory; a failure here says nothing about the
/// code under test, so it is ignored.
pub async fn drop_table(client: &Client, table: &str) {
    let _ = client.delete_table().table_name(table).send().await;
}

/// A records table in DynamoDB Local and the records store over it: what a test that writes
/// into DynamoDB Local sets up, reads back and drops.
pub struct RecordsTable {
    pub client: Client,
    pub name: String,
    pub store: Arc<DynamoRecordStore>,
}

impl RecordsTable {
    /// A new records table whose name no other test uses (see [`records_table`]), and its store.
    pub async fn new(prefix: &str, label: &str) -> Self {
        let (client, name) = records_table(prefix, label).await;
        Self::existing(client, name)
    }

    /// The store over the table `name`, which the test has created (or dropped on purpose).
    pub fn existing(client: Client, name: String) -> Self {
        let store = Arc::new(DynamoRecordStore::new(client.clone(), &name));
        Self {
            client,
            name,
            store,
        }
    }

    /// How many items the table holds (see [`item_count`]).
    pub async fn item_count(&self) -> usize {
        item_count(&self.client, &self.name).await
    }

    /// Every item of the table (see [`all_items`]).
    pub async fn items(&self) -> Vec<HashMap<String, AttributeValue>> {
        all_items(&self.client, &self.name).await
    }

    /// Deletes the table (see [`drop_table`]).
    pub async fn drop_table(&self) {
        drop_table(&self.client, &self.name).await
    }
}

/// Every item of the table, all pages (a Scan reads the whole table: tests only).
pub async fn all_items(client: &Client, table: &str) -> Vec<HashMap<String, AttributeValue>> {
    client
        .scan()
        .table_name(table)
        .consistent_read(true)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("scan")
}

/// How many items the table holds, all pages (a Scan reads the whole table: tests only).
pub async fn item_count(client: &Client, table: &str) -> usize {
    let mut pages = client
        .scan()
        .table_name(table)
        .consistent_read(true)
        .into_paginator()
        .send();
    let mut count = 0;
    while let Some(page) = pages.try_next().await.expect("scan") {
        count += page.items().len();
    }
    count
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Rossum's `x-rossum-signature-sha256` value: `sha256=<hex HMAC-SHA256 of body>`.
pub fn rossum_signature(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex(&hmac_sha256(secret.as_bytes(), body)))
}

/// Inkit's `Inkit-Signature` value: the hex HMAC-SHA256 of the body, lowercase, no prefix.
pub fn inkit_signature(secret: &str, body: &[u8]) -> String {
    hex(&hmac_sha256(secret.as_bytes(), body))
}

/// An `Authorization` header value for `token`: `Bearer <token>`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// An endpoint configuration that sees exactly these variables.
pub fn config(vars: &[(&str, &str)]) -> EndpointConfig {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    EndpointConfig::from_lookup(SecretSource::Environment, move |name| {
        vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
}

/// A POST of `body` to `route` with `headers`.
pub fn request(route: &str, headers: &[(&str, &str)], body: &[u8]) -> Request {
    let mut builder = http::Request::builder().method("POST").uri(route);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::Binary(body.to_vec())).unwrap()
}

/// Calls `endpoint` on its route; the status, the `retry-after` header and the JSON body.
/// Fails the test unless the answer is `application/json`.
pub async fn respond(
    endpoint: &Endpoint,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    let response = endpoint
        .handle(request(endpoint.route(), headers, body))
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

/// Calls `endpoint` on its route; the status and the JSON body (see [`respond`]).
pub async fn call(endpoint: &Endpoint, headers: &[(&str, &str)], body: &[u8]) -> (u16, Value) {
    let (status, _, body) = respond(endpoint, headers, body).await;
    (status, body)
}

/// Calls a Rossum `endpoint` with `body` signed by `secret` (`X-Rossum-Signature-SHA256`); the
/// status and the JSON body (see [`respond`]).
pub async fn call_signed_by_rossum(endpoint: &Endpoint, secret: &str, body: &[u8]) -> (u16, Value) {
    let signature = rossum_signature(secret, body);
    call(endpoint, &[("x-rossum-signature-sha256", &signature)], body).await
}

/// An empty idempotency store: each call is a first delivery as far as the guard knows, so a
/// test sees what the records store itself does with a redelivery.
pub fn fresh_idempotency_store() -> std::sync::Arc<dyn idempotency::IdempotencyStore> {
    std::sync::Arc::new(idempotency::InMemoryIdempotencyStore::new())
}

/// Invokes a function binary through the stub with an API Gateway event; the proxy
/// response's status and JSON body (see [`RuntimeApi::invoke_http`]).
pub async fn invoke(api: &RuntimeApi, event: &[u8]) -> (u16, Value) {
    let response = api.invoke_http(event).await;
    (response.status, response.body)
}
