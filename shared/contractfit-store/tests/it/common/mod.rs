//! What the store tests share: deliveries built like the functions build them, documents,
//! the rules every store must follow, and the DynamoDB Local they may need.

pub mod rules;

use aws_sdk_dynamodb::Client;
use contractfit_store::{ContractFitStore, Delivery, Stored, Timestamp, Unavailable};
use serde_json::{Value, json};
use webhook_model::contractfit::{ContractFitEvent, DocumentId, Section};

pub use webhook_test_support::drop_table;

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

/// Stores a delivery of `event` with `data`, arriving at `received_at`, as the function of
/// that event does: the text of `document_text`, the sections of `document_split`, the
/// document of `document_predict` and `document_evaluate`, the failure of `document_fail`, the
/// deletion of `document_delete`.
pub async fn store_delivery(
    store: &dyn ContractFitStore,
    event: &ContractFitEvent,
    data: &Value,
    received_at: &str,
) -> Result<Stored, Unavailable> {
    let d = delivery(event.clone(), data, received_at);
    match event {
        ContractFitEvent::DocumentText => {
            store
                .store_text(&d, data["text"].as_str().expect("data.text"))
                .await
        }
        ContractFitEvent::DocumentSplit => {
            let sections: Vec<Section> =
                serde_json::from_value(data["sections"].clone()).expect("data.sections");
            store.store_sections(&d, &sections).await
        }
        ContractFitEvent::DocumentPredict | ContractFitEvent::DocumentEvaluate => {
            store.store_document(&d, data).await
        }
        ContractFitEvent::DocumentFail => store.record_failure(&d, data).await,
        ContractFitEvent::DocumentDelete => store.delete_document(&d).await,
        other => panic!("no test delivery of {other:?}"),
    }
}

/// Stores each delivery (event, data, arrival) in turn, as [`store_delivery`] does, and
/// checks that each did `expected`; a failure names the delivery.
pub async fn assert_deliveries_are(
    store: &dyn ContractFitStore,
    expected: Stored,
    deliveries: &[(ContractFitEvent, &Value, &str)],
) {
    for (event, data, received_at) in deliveries {
        assert_eq!(
            store_delivery(store, event, data, received_at).await,
            Ok(expected),
            "{event:?} at {received_at}"
        );
    }
}

/// Stores the same delivery twice: stored the first time, a duplicate the second.
pub async fn assert_stored_once(
    store: &dyn ContractFitStore,
    event: ContractFitEvent,
    data: &Value,
    received_at: &str,
) {
    let delivery = [(event, data, received_at)];
    assert_deliveries_are(store, Stored::Stored, &delivery).await;
    assert_deliveries_are(store, Stored::Duplicate, &delivery).await;
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

/// A client of DynamoDB Local and a new records table whose name no other test uses.
pub async fn records_table(label: &str) -> (Client, String) {
    webhook_test_support::records_table("contractfit", label).await
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
