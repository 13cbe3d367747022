//! What the DynamoDB Local tests share: the endpoint they need and one fresh table per test.
#![allow(dead_code)] // each test binary uses a different part

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::Client;
use record_store::create_records_table;

/// The endpoint of the DynamoDB Local these tests need; its absence fails the test, loudly.
pub fn endpoint() -> String {
    match std::env::var("DYNAMODB_ENDPOINT") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "DYNAMODB_ENDPOINT is not set: these tests run against DynamoDB Local. Run ./scripts/test, \
             or first `export DYNAMODB_ENDPOINT=$(scripts/dynamodb-local start)`"
        ),
    }
}

pub async fn client() -> Client {
    dynamodb_store::connect(Some(&endpoint())).await
}

/// A new records table whose name no other test (or earlier run) uses.
pub async fn new_table(client: &Client, label: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let table = format!(
        "records-{label}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    create_records_table(client, &table)
        .await
        .unwrap_or_else(|e| panic!("creating {table}: {e}"));
    table
}

pub async fn drop_table(client: &Client, table: &str) {
    // Frees DynamoDB Local's memory; a failure here says nothing about the code under test.
    let _ = client.delete_table().table_name(table).send().await;
}
