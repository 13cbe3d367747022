//! What the store tests share: deliveries built like the functions build them, documents,
//! the rules every store must follow, and the DynamoDB Local they may need.
#![allow(dead_code)] // each test binary uses a different part

pub mod rules;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::Client;
use contractfit_store::{Delivery, Timestamp};
use record_store::create_records_table;
use serde_json::{Value, json};
use webhook_model::contractfit::{ContractFitEvent, DocumentId};

pub const DOCUMENT_ID: &str = "5e7a0df1800de5422a6f7776";

pub fn id(raw: &str) -> DocumentId {
    raw.parse().unwrap()
}

pub fn at(raw: &str) -> Timestamp {
    Timestamp::parse(raw).unwrap()
}

/// A delivery of `event` with `data`, arriving at `received_at`.
pub fn delivery(event: ContractFitEvent, data: &Value, received_at: &str) -> Delivery {
    let document_id = id(data["id"].as_str().expect("data.id"));
    Delivery::new(event, document_id, data, at(received_at))
}

/// A document JSON as contract.fit's API returns it, with a `done_time` and fields this
/// project does not know.
pub fn document_json(document_id: &str, invoice_number: &str, done_time: Option<&str>) -> Value {
    let mut document = json!({
        "id": document_id,
        "inbox": "5e20372a90d5ab65dd4a0100",
        "original_filename": "invoice-2026-0042.pdf",
        "page_count": 2,
        "flag_for_review": false,
        "prediction": {
            "invoice_number": [{"value": invoice_number, "confidence": 0.97, "page": 0,
                                "bbox": [0.61, 0.12, 0.83, 0.14]}],
            "total_amount": [{"value": "1250.40", "confidence": 0.88, "page": 1}]
        },
        "timings": {"receive_time": "2026-11-20T09:00:00.000000", "processing_period": 41.5},
        "x_extension": {"kept": [1, 2.5, "three", null, true, {"deep": "é ✓"}]}
    });
    if let Some(done_time) = done_time {
        document["timings"]["done_time"] = json!(done_time);
    }
    document
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
        "contractfit-{label}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    create_records_table(&client, &table)
        .await
        .unwrap_or_else(|e| panic!("creating {table}: {e}"));
    (client, table)
}

/// Every item's sort key (tests only: a Scan reads the whole table).
pub async fn sort_keys(client: &Client, table: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut start = None;
    loop {
        let output = client
            .scan()
            .table_name(table)
            .consistent_read(true)
            .projection_expression("sk")
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .expect("scan");
        for item in output.items() {
            keys.push(item["sk"].as_s().unwrap().clone());
        }
        match output.last_evaluated_key {
            Some(last) if !last.is_empty() => start = Some(last),
            _ => break,
        }
    }
    keys.sort();
    keys
}

pub async fn drop_table(client: &Client, table: &str) {
    let _ = client.delete_table().table_name(table).send().await;
}
