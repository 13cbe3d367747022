//! The store rules against DynamoDB Local, texts and documents far larger than one item, the
//! items each operation leaves, and an unreachable endpoint.

use crate::common;

use std::time::Instant;

use common::rules::rule_tests;
use common::{
    DOCUMENT_ID, assert_deliveries_are, assert_stored_once, delivery, document_json, drop_table,
    id, records_table, sort_keys,
};
use contractfit_store::{ContractFitStore, DynamoContractFitStore, Stored};
use serde_json::{Value, json};
use webhook_model::contractfit::ContractFitEvent::*;

async fn store(label: &str) -> DynamoContractFitStore {
    let (client, table) = records_table(label).await;
    DynamoContractFitStore::new(client, table)
}

async fn finish(store: DynamoContractFitStore) {
    drop_table(store.client(), store.table()).await;
}

/// Runs `rule` on a store of a new table named after `label`, then drops the table.
async fn on_a_new_table(label: &str, rule: impl AsyncFnOnce(&dyn ContractFitStore)) {
    let store = store(label).await;
    rule(&store).await;
    finish(store).await;
}

rule_tests!(on_a_new_table);

/// Deletes the document, which leaves nothing in the table but its deletion marker.
async fn assert_a_delete_leaves_only_the_marker(store: &DynamoContractFitStore) {
    let delete = json!({"id": DOCUMENT_ID});
    let deleted = [(DocumentDelete, &delete, "2026-11-21T08:00:00Z")];
    assert_deliveries_are(store, Stored::Stored, &deleted).await;
    assert_eq!(sort_keys(store.client(), store.table()).await, ["DELETED"]);
}

/// The next number of a xorshift64 sequence: the same text on every run, without a crate.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// OCR-like text: words and numbers from a fixed vocabulary, with accents and symbols, so it
/// compresses as real text does.
fn ocr_text(bytes: usize) -> String {
    let words = [
        "Rechnung",
        "invoice",
        "Total",
        "1 250,40",
        "€",
        "Straße",
        "Zürich",
        "n°",
        "quantité",
        "TVA",
        "21%",
        "IBAN",
        "NL91ABNA0417164300",
        "Artikel",
        "—",
        "2026-11-20",
        "Bestellung",
        "unit",
        "price",
        "Gesamtbetrag",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut text = String::with_capacity(bytes + 32);
    while text.len() < bytes {
        let n = xorshift(&mut state);
        text.push_str(words[(n % words.len() as u64) as usize]);
        text.push(if n.is_multiple_of(11) { '\n' } else { ' ' });
    }
    text
}

/// Text that barely compresses: pseudo-random characters from a wide alphabet (ASCII,
/// Latin-1, Greek, CJK), the way a garbled scan or a base64 blob would come out of OCR.
fn incompressible_text(bytes: usize) -> String {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut text = String::with_capacity(bytes + 4);
    while text.len() < bytes {
        let n = xorshift(&mut state);
        let c = match n % 4 {
            0 => char::from(b'!' + (n >> 8) as u8 % 94),
            1 => char::from_u32(0xC0 + (n >> 8) as u32 % 0x40).unwrap(),
            2 => char::from_u32(0x3B1 + (n >> 8) as u32 % 24).unwrap(),
            _ => char::from_u32(0x4E00 + (n >> 8) as u32 % 0x5000).unwrap(),
        };
        text.push(c);
    }
    text
}

async fn round_trip_text(label: &str, text: String) {
    let store = store(label).await;
    let data = json!({"id": DOCUMENT_ID, "text": text});
    let d = delivery(DocumentText, &data, "2026-11-20T09:01:00Z");
    let started = Instant::now();
    assert_eq!(store.store_text(&d, &text).await, Ok(Stored::Stored));
    let stored_in = started.elapsed();
    let started = Instant::now();
    let loaded = store.load(&id(DOCUMENT_ID)).await.unwrap().unwrap();
    let loaded_in = started.elapsed();
    let stored = loaded.text.expect("the text");
    assert!(stored.text.as_bytes() == text.as_bytes(), "byte-identical");
    let keys = sort_keys(store.client(), store.table()).await;
    let parts = keys.iter().filter(|k| k.starts_with("CHUNK#TEXT#")).count();
    assert!(parts >= 1, "{keys:?}");
    println!(
        "{label}: {} bytes stored in {:.0} ms as {parts} parts, read back in {:.0} ms",
        text.len(),
        stored_in.as_secs_f64() * 1000.0,
        loaded_in.as_secs_f64() * 1000.0
    );

    // The same delivery again writes nothing, not even its parts.
    assert_eq!(store.store_text(&d, &text).await, Ok(Stored::Duplicate));
    assert_eq!(sort_keys(store.client(), store.table()).await, keys);
    finish(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_of_one_and_a_half_megabytes_round_trips_byte_identical() {
    round_trip_text("text-1m5", ocr_text(1_500_000)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incompressible_text_of_five_megabytes_round_trips_byte_identical() {
    round_trip_text("text-5m", incompressible_text(5_000_000)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_a_large_text_removes_the_parts_of_the_old_one() {
    let store = store("text-replace").await;
    for (minute, text) in [
        ("01", ocr_text(900_000)),
        ("02", incompressible_text(700_000)),
    ] {
        let data = json!({"id": DOCUMENT_ID, "text": text});
        let d = delivery(DocumentText, &data, &format!("2026-11-20T09:{minute}:00Z"));
        assert_eq!(store.store_text(&d, &text).await, Ok(Stored::Stored));
        let loaded = store.load(&id(DOCUMENT_ID)).await.unwrap().unwrap();
        assert_eq!(loaded.text.unwrap().text, text);
    }
    let keys = sort_keys(store.client(), store.table()).await;
    let owners: std::collections::BTreeSet<&str> = keys
        .iter()
        .filter_map(|k| k.strip_prefix("CHUNK#"))
        .map(|k| k.rsplit_once('#').unwrap().0)
        .collect();
    assert_eq!(owners.len(), 1, "only the current text's parts: {keys:?}");
    finish(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_larger_than_an_item_is_kept_whole() {
    let store = store("large-document").await;
    let mut document = document_json(DOCUMENT_ID, "INV-0042", Some("2026-11-20T09:05:00"));
    let words: Vec<Value> = (0..12_000)
        .map(|i| json!({"text": format!("word{i}"), "bbox": [i, i + 1, i + 2, i + 3], "confidence": 0.5}))
        .collect();
    document["ocr_words"] = Value::Array(words);
    assert_stored_once(&store, DocumentPredict, &document, "2026-11-20T09:06:00Z").await;
    let loaded = store.load(&id(DOCUMENT_ID)).await.unwrap().unwrap();
    assert_eq!(loaded.versions.len(), 1);
    assert_eq!(loaded.versions[0].document, document);
    let keys = sort_keys(store.client(), store.table()).await;
    assert!(
        keys.iter().any(|k| k.starts_with("CHUNK#PREDICT#")),
        "{keys:?}"
    );
    assert_a_delete_leaves_only_the_marker(&store).await;
    finish(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_delivery_is_one_item_plus_its_delivery_key_and_a_delete_leaves_only_the_marker() {
    let store = store("items").await;
    let text = ocr_text(400_000);
    let text_data = json!({"id": DOCUMENT_ID, "text": text});
    let predicted = document_json(DOCUMENT_ID, "INV-0042", Some("2026-11-20T09:05:00"));
    for _ in 0..2 {
        let d = delivery(DocumentText, &text_data, "2026-11-20T09:01:00Z");
        store.store_text(&d, &text).await.unwrap();
        let d = delivery(DocumentPredict, &predicted, "2026-11-20T09:06:00Z");
        store.store_document(&d, &predicted).await.unwrap();
    }
    let keys = sort_keys(store.client(), store.table()).await;
    let kinds: Vec<&str> = keys.iter().map(|k| k.split('#').next().unwrap()).collect();
    assert_eq!(
        kinds,
        ["CHUNK", "DELIVERY", "DELIVERY", "PREDICT", "TEXT"],
        "{keys:?}"
    );
    assert_a_delete_leaves_only_the_marker(&store).await;
    finish(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_of_one_event_store_it_once() {
    let store = std::sync::Arc::new(store("concurrent").await);
    let data = json!({"id": DOCUMENT_ID, "text": "concurrent"});
    let mut calls = tokio::task::JoinSet::new();
    for second in 0..8 {
        let (store, data) = (store.clone(), data.clone());
        calls.spawn(async move {
            let d = delivery(DocumentText, &data, &format!("2026-11-20T09:00:0{second}Z"));
            store.store_text(&d, "concurrent").await
        });
    }
    let mut outcomes = Vec::new();
    while let Some(outcome) = calls.join_next().await {
        outcomes.push(outcome.unwrap().unwrap());
    }
    assert_eq!(
        outcomes.iter().filter(|o| **o == Stored::Stored).count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(sort_keys(store.client(), store.table()).await.len(), 2);
    drop_table(store.client(), store.table()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_endpoint_is_an_error_not_a_panic() {
    let unused_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = dynamodb_support::connect(Some(&format!("http://127.0.0.1:{unused_port}"))).await;
    let store = DynamoContractFitStore::new(client, "records");
    let data = json!({"id": DOCUMENT_ID, "text": "t"});
    let d = delivery(DocumentText, &data, "2026-11-20T09:01:00Z");
    let error = store.store_text(&d, "t").await.unwrap_err();
    assert!(error.to_string().contains("GetItem"), "{error}");
    let error = store.delete_document(&d).await.unwrap_err();
    assert!(error.to_string().contains("records"), "{error}");
    assert!(store.load(&id(DOCUMENT_ID)).await.is_err());
}
