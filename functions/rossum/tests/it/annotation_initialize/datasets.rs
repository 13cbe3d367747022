//! The shipped purchase-order configurations (`events/master-data/purchase-orders.matching.json`)
//! over the sample datasets imported into DynamoDB Local, through the built Lambda binaries:
//! the vendor, its purchase order (chained on the vendor), each line's PO line (chained on the
//! PO) and product, an unmatched row with its own message; the same answer as the datasets in
//! memory give, and on `updated` only the edited row looked up again.

use std::path::Path;
use std::sync::Arc;

use dataset_store::{Dataset, InMemoryDatasetStore, IndexSpec, read_dataset_file};
use master_data_store::datasets::{DatasetImport, DatasetImportMode, import_dataset};
use serde_json::{Value, json};
use webhook_test_support::binary::start;
use webhook_test_support::{drop_table, dynamodb_endpoint, invoke};

use crate::support::{
    DEVELOPMENT_SECRET, SECRET_VAR, VENDOR_MATCH_ID, bytes, configured, given, signed_event,
};

const INITIALIZE: &str = env!("CARGO_BIN_EXE_rossum-annotation-initialize");
const UPDATED: &str = env!("CARGO_BIN_EXE_rossum-annotation-updated");

/// The sample datasets and how the shipped configurations need them indexed.
const DATASETS: [(&str, &str, &[&str], &[&str]); 4] = [
    ("vendors", "vendors.csv", &["vat_id", "iban"], &["name"]),
    (
        "purchase_orders",
        "purchase_orders.json",
        &["po_number+vendor_id"],
        &[],
    ),
    (
        "purchase_order_lines",
        "purchase_order_lines.csv",
        &["po_number"],
        &[],
    ),
    ("products", "products.jsonl", &["code"], &["name"]),
];

const PO_MATCH_ID: u64 = 6600006;

/// Row `row`'s cell ids for the PO line, product and unit the configurations fill.
fn row_targets(row: u64) -> [u64; 3] {
    let tuple = 6601000 + row * 10;
    [tuple + 6, tuple + 7, tuple + 8]
}

fn master_data_file(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events/master-data")
        .join(name)
}

fn records(file: &str) -> Vec<Value> {
    let read = read_dataset_file(&master_data_file(file)).unwrap();
    assert!(read.rejected.is_empty(), "{file}: {:?}", read.rejected);
    read.records
}

fn specs(indexes: &[&str]) -> Vec<IndexSpec> {
    indexes
        .iter()
        .map(|i| IndexSpec::parse(i).unwrap())
        .collect()
}

/// `events/master-data/invoice-with-purchase-order.json`: the sample annotation with the
/// datapoints the configurations fill, and the configurations in its settings.
fn delivery(action: &str) -> Value {
    let mut payload: Value = serde_json::from_slice(
        &std::fs::read(master_data_file("invoice-with-purchase-order.json")).unwrap(),
    )
    .unwrap();
    let settings: Value = serde_json::from_slice(
        &std::fs::read(master_data_file("purchase-orders.matching.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        payload["settings"]["configurations"], settings["configurations"],
        "the sample delivery carries the shipped configurations"
    );
    payload["action"] = json!(action);
    payload
}

fn replaced(answer: &Value, id: u64) -> Option<&Value> {
    answer["operations"]
        .as_array()?
        .iter()
        .find(|op| op["id"] == id)
}

fn messages_on(answer: &Value, id: u64) -> Vec<String> {
    answer["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["id"] == id)
        .map(|m| {
            format!(
                "{}: {}",
                m["type"].as_str().unwrap(),
                m["content"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purchase_orders_lines_and_products_are_matched_by_the_binaries_on_dynamodb() {
    let endpoint = dynamodb_endpoint();
    let client = webhook_test_support::client().await;
    let table =
        webhook_test_support::new_master_data_table(&client, "initialize", "datasets").await;
    let mut in_memory = Vec::new();
    for (name, file, indexes, fuzzy) in DATASETS {
        let mut import = DatasetImport::new(name, DatasetImportMode::Replace);
        import.indexes = specs(indexes);
        import.fuzzy_fields = fuzzy.iter().map(|f| (*f).to_owned()).collect();
        let summary = import_dataset(&client, &table, &import, &records(file), &mut |_| {})
            .await
            .unwrap();
        assert!(summary.rejected.is_empty(), "{name}: {summary:?}");
        in_memory.push(Dataset::new(
            name,
            records(file),
            specs(indexes),
            import.fuzzy_fields.clone(),
        ));
    }

    let env = [
        SECRET_VAR,
        ("VENDOR_TABLE", &table),
        ("DYNAMODB_ENDPOINT", &endpoint),
    ];
    let route = rossum_functions::ANNOTATION_INITIALIZE.route;
    let body = bytes(&delivery("initialize"));
    let (api, _process) = start(INITIALIZE, "rossum-annotation-initialize", &env).await;
    let (status, answer) = invoke(&api, &signed_event(route, &body, DEVELOPMENT_SECRET)).await;
    assert_eq!(status, 200, "{answer}");

    let value = |id: u64| replaced(&answer, id).map(|op| op["value"]["content"]["value"].clone());
    assert_eq!(value(VENDOR_MATCH_ID), Some(json!("V-10027")), "{answer}");
    assert_eq!(
        value(PO_MATCH_ID),
        Some(json!("PO-88120")),
        "the vendor's PO: {answer}"
    );
    for row in 0..3 {
        let [line, product, unit] = row_targets(row);
        assert_eq!(
            value(line),
            Some(json!((row + 1).to_string())),
            "row {row}: {answer}"
        );
        assert!(
            value(product).is_some(),
            "row {row} has a product: {answer}"
        );
        assert!(
            value(unit).is_some_and(|u| u != ""),
            "row {row} has the product's unit"
        );
    }
    let [line, product, _] = row_targets(3);
    assert_eq!(value(line), None, "the last row is not on the PO");
    assert_eq!(
        messages_on(&answer, line),
        ["warning: This line is not on the purchase order."]
    );
    assert_eq!(
        messages_on(&answer, product),
        ["error: No product matches this line."]
    );
    let blockers: Vec<&Value> = answer["automation_blockers"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(blockers.len(), 1, "{answer}");
    assert_eq!(blockers[0]["id"], product);

    // The same configurations over the same files in memory answer the same.
    let endpoint_in_memory = rossum_functions::ANNOTATION_INITIALIZE.build(
        &configured(),
        &given().with_datasets(Arc::new(InMemoryDatasetStore::new(in_memory))),
    );
    let signature = crate::support::signature(crate::support::SECRET, &body);
    let (_, _, from_memory) = webhook_test_support::respond(
        &endpoint_in_memory,
        &[(crate::support::SIGNATURE, signature.as_str())],
        &body,
    )
    .await;
    assert_eq!(from_memory, answer);

    // `updated` after the user edits row 2's description: that row alone is matched again.
    let mut edited = delivery("updated");
    edited["updated_datapoints"] = json!([6601021]);
    edited["annotation"]["content"][3]["children"][0]["children"][2]["children"][0]["content"]["value"] =
        json!("Copy paper A4 80 g, box of 5 reams");
    let body = bytes(&edited);
    let (api, _process) = start(UPDATED, "rossum-annotation-updated", &env).await;
    let route = rossum_functions::ANNOTATION_UPDATED.route;
    let (status, answer) = invoke(&api, &signed_event(route, &body, DEVELOPMENT_SECRET)).await;
    assert_eq!(status, 200, "{answer}");
    let [line, product, unit] = row_targets(2);
    let touched: Vec<u64> = answer["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|op| op["op"] == "replace" && op["id"] != 6601015 && op["id"] != 6601035)
        .map(|op| op["id"].as_u64().unwrap())
        .collect();
    assert!(
        touched.iter().all(|id| [line, product, unit].contains(id)),
        "{answer}"
    );
    assert_eq!(
        replaced(&answer, product).map(|op| op["value"]["content"]["value"].clone()),
        Some(json!("OFF-PAPER-A4")),
        "{answer}"
    );
    assert_eq!(
        messages_on(&answer, line),
        ["warning: This line is not on the purchase order."]
    );
    drop_table(&client, &table).await;
}
