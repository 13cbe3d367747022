//! Line-item targets: a configuration per row, batched lookups, messages on the row, PO lines
//! chained after the PO, and `updated` re-matching the edited row only.

use dataset_matching::Trigger;
use dataset_store::InMemoryDatasetStore;
use serde_json::{Value, json};
use webhook_model::rossum::MessageType;

use crate::annotation::*;

fn products() -> dataset_store::Dataset {
    let mut records: Vec<Value> = (0..1000)
        .map(|i| json!({"code": format!("P-{i:04}"), "name": format!("Product {i}"), "unit": "pcs", "price": i}))
        .collect();
    records.push(json!({"code": "BOLT-8", "name": "Steel bolt M8", "unit": "box", "price": 4.5}));
    dataset("products", Value::Array(records), &["code"], &["name"])
}

fn product_per_row() -> Value {
    json!([{
        "name": "Product per line item",
        "source": {"dataset": "products", "queries": [{"find": {"code": "{item_code}"}}]},
        "mapping": {"target_schema_id": "item_product", "dataset_key": "code", "label_keys": ["code", "name"]},
        "additional_mappings": [{"target_schema_id": "item_unit", "dataset_key": "unit"}],
        "result_actions": {
            "one_match_found": {"select": "best_match"},
            "no_match_found": {"message": {"type": "error", "content": "Unknown product code"}}}
    }])
}

fn rows(codes: &[&str]) -> Vec<webhook_model::rossum::Node> {
    let cells: Vec<Vec<(&str, &str)>> = codes
        .iter()
        .map(|code| {
            vec![
                ("item_code", *code),
                ("item_product", ""),
                ("item_unit", ""),
            ]
        })
        .collect();
    let cells: Vec<&[(&str, &str)]> = cells.iter().map(Vec::as_slice).collect();
    content(vec![
        datapoint(10, "order_id", "PO-7001"),
        datapoint(11, "po_match", ""),
        table(5, &cells),
    ])
}

#[tokio::test]
async fn each_row_gets_its_product_and_an_unmatched_row_its_own_message() {
    let store = InMemoryDatasetStore::new([products()]);
    let answer = initialize(
        product_per_row(),
        &rows(&["BOLT-8", "NOPE-1", "P-0007"]),
        &store,
    )
    .await;
    assert_eq!(
        replaced(&answer, cell_id(5, 0, 1)),
        Some((
            "BOLT-8".to_owned(),
            vec![option("BOLT-8", "BOLT-8, Steel bolt M8")]
        ))
    );
    assert_eq!(
        replaced(&answer, cell_id(5, 0, 2)).unwrap().0,
        "box",
        "the row's own unit"
    );
    assert_eq!(replaced(&answer, cell_id(5, 2, 2)).unwrap().0, "pcs");
    assert_eq!(
        replaced(&answer, cell_id(5, 1, 1)),
        None,
        "unmatched: stays empty"
    );
    assert_eq!(
        messages_on(&answer, cell_id(5, 1, 1)),
        [(MessageType::Error, "Unknown product code")]
    );
    assert_eq!(
        answer.messages.len(),
        1,
        "only the unmatched row has a message"
    );
    assert_eq!(answer.automation_blockers.len(), 1);
    assert_eq!(answer.automation_blockers[0].id, Some(cell_id(5, 1, 1)));
}

#[tokio::test]
async fn a_hundred_rows_cost_one_lookup_of_their_distinct_codes_and_an_edit_one_row() {
    let store = Counting::new(InMemoryDatasetStore::new([products()]));
    let codes: Vec<String> = (0..100).map(|i| format!("P-{:04}", i % 60)).collect();
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    let content = rows(&codes);
    let config = settings(product_per_row());
    let answer = run_on(&config, &content, Trigger::Initialize, &[], &store)
        .await
        .unwrap();
    assert_eq!(
        answer.store_calls, 2,
        "describe, then one find for every row"
    );
    assert_eq!(store.asked(), [60], "the distinct codes, once each");
    assert_eq!(
        answer.operations.len(),
        200,
        "product and unit on every row"
    );

    let edited = cell_id(5, 42, 0);
    let updated = run_on(&config, &content, Trigger::Updated, &[edited], &store)
        .await
        .unwrap();
    assert_eq!(store.asked(), [60, 1], "only the edited row is looked up");
    assert!(updated.operations.iter().all(|op| matches!(op,
        webhook_model::rossum::Operation::Replace { id, .. } if *id == cell_id(5, 42, 1) || *id == cell_id(5, 42, 2))));
}

#[tokio::test]
async fn purchase_order_lines_are_matched_per_row_after_the_purchase_order() {
    let orders = dataset(
        "purchase_orders",
        json!([{"po_number": "PO-7001", "vendor_id": "V-100"}]),
        &["po_number"],
        &[],
    );
    let lines = dataset(
        "purchase_order_lines",
        json!([
            {"po_number": "PO-7001", "line_number": "1", "item_code": "BOLT-8", "unit_price": "4.50"},
            {"po_number": "PO-7001", "line_number": "2", "item_code": "P-0007", "unit_price": "7.00"},
            {"po_number": "PO-7002", "line_number": "1", "item_code": "BOLT-8", "unit_price": "4.10"}
        ]),
        &["po_number+item_code"],
        &[],
    );
    let store = InMemoryDatasetStore::new([orders, lines]);
    let config = settings(json!([
        {"name": "PO",
         "source": {"dataset": "purchase_orders", "queries": [{"find": {"po_number": "{order_id}"}}]},
         "mapping": {"target_schema_id": "po_match", "dataset_key": "po_number"},
         "result_actions": {"one_match_found": {"select": "best_match"}}},
        {"name": "PO line",
         "source": {"dataset": "purchase_order_lines", "queries": [
             {"find": {"po_number": "{po_match}", "item_code": "{item_code}"}}]},
         "mapping": {"target_schema_id": "item_product", "dataset_key": "line_number",
                     "label_template": "line {line_number}: {item_code}"},
         "additional_mappings": [{"target_schema_id": "item_unit", "dataset_key": "unit_price"}],
         "result_actions": {"one_match_found": {"select": "best_match"},
                            "no_match_found": {"message": {"type": "warning", "content": "Not on the purchase order"}}}}
    ]));
    let answer = run(
        &config,
        &rows(&["P-0007", "BOLT-8", "X-1"]),
        Trigger::Initialize,
        &[],
        &store,
    )
    .await
    .unwrap();
    assert_eq!(replaced(&answer, 11).unwrap().0, "PO-7001");
    assert_eq!(
        replaced(&answer, cell_id(5, 0, 1)),
        Some(("2".to_owned(), vec![option("2", "line 2: P-0007")]))
    );
    assert_eq!(replaced(&answer, cell_id(5, 1, 1)).unwrap().0, "1");
    assert_eq!(
        replaced(&answer, cell_id(5, 1, 2)).unwrap().0,
        "4.50",
        "PO-7001's price, not PO-7002's"
    );
    assert_eq!(
        messages_on(&answer, cell_id(5, 2, 1)),
        [(MessageType::Warning, "Not on the purchase order")]
    );
    assert!(answer.automation_blockers.is_empty());
}
