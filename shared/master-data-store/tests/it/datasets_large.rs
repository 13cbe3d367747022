//! A dataset of realistic size (100 000 records unless `DATASET_IMPORT_TEST_COUNT` says
//! otherwise): replace, the same replace again, update by keys, the same update again, delete
//! by keys, and a 100-key find. Timings are printed, not asserted; ignored by default (run with
//! `--ignored`).

use std::time::{Duration, Instant};

use dataset_store::{DatasetStore, IndexSpec, index_key};
use master_data_store::{
    DatasetImport, DatasetImportMode, DatasetImportSummary, DynamoDatasetStore, import_dataset,
};
use serde_json::{Value, json};

use crate::common::{client, drop_table, new_table};

fn record_count() -> usize {
    std::env::var("DATASET_IMPORT_TEST_COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100_000)
}

fn product(i: usize, price: f64) -> Value {
    json!({
        "sku": format!("P{i:07}"),
        "name": format!("Steel bolt M{} {}", 4 + i % 20, ["zinc", "brass", "nylon"][i % 3]),
        "vendor": {"id": format!("V{}", i % 500)},
        "price": price,
        "unit": "pcs",
    })
}

async fn timed(
    label: &str,
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    import: &DatasetImport,
    records: &[Value],
) -> DatasetImportSummary {
    let started = Instant::now();
    let summary = import_dataset(client, table, import, records, &mut |_| {})
        .await
        .unwrap();
    let took = started.elapsed();
    println!(
        "{label}: {} records in {:.1} s ({:.0} records/s): inserted {}, updated {}, unchanged {}, deleted {}, rejected {}",
        records.len(),
        took.as_secs_f64(),
        records.len() as f64 / took.as_secs_f64(),
        summary.inserted,
        summary.updated,
        summary.unchanged,
        summary.deleted,
        summary.rejected.len()
    );
    summary
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement of several minutes: run with --ignored"]
async fn a_large_dataset_imports_updates_and_deletes() {
    let count = record_count();
    let client = client().await;
    let table = new_table(&client, "ds-large").await;
    let records: Vec<Value> = (0..count).map(|i| product(i, 1.0)).collect();
    let mut replace = DatasetImport::new("products", DatasetImportMode::Replace);
    replace.indexes = vec![
        IndexSpec::parse("sku").unwrap(),
        IndexSpec::parse("vendor.id+sku").unwrap(),
    ];
    replace.fuzzy_fields = vec!["name".to_owned()];
    replace.grace_period = Duration::ZERO;

    let summary = timed("replace", &client, &table, &replace, &records).await;
    assert_eq!(summary.inserted, count);
    let summary = timed(
        "replace again (same file)",
        &client,
        &table,
        &replace,
        &records,
    )
    .await;
    assert_eq!(summary.unchanged, count);

    // A tenth of the records change price, and a hundredth more are appended.
    let updated: Vec<Value> = (0..count + count / 100)
        .map(|i| product(i, if i % 10 == 0 { 2.0 } else { 1.0 }))
        .collect();
    let mut update = DatasetImport::new("products", DatasetImportMode::UpdateByKeys);
    update.key = Some(IndexSpec::parse("sku").unwrap());
    update.grace_period = Duration::ZERO;
    let summary = timed("update by keys", &client, &table, &update, &updated).await;
    assert_eq!(summary.updated, count.div_ceil(10));
    assert_eq!(summary.inserted, count / 100);
    let summary = timed(
        "update by keys again (same file)",
        &client,
        &table,
        &update,
        &updated,
    )
    .await;
    assert_eq!(summary.unchanged, updated.len());

    let store = DynamoDatasetStore::new(client.clone(), &table);
    let info = store
        .describe(&["products".to_owned()])
        .await
        .unwrap()
        .remove("products")
        .unwrap();
    let keys: Vec<String> = (0..100)
        .map(|i| index_key(&[&json!(format!("P{:07}", i * (count / 100)))]).unwrap())
        .collect();
    let mut times = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let found = store
            .find(&info, &IndexSpec::parse("sku").unwrap(), &keys)
            .await
            .unwrap();
        times.push(started.elapsed());
        assert!(found.iter().all(|f| f.len() == 1));
    }
    times.sort();
    println!(
        "find of 100 distinct keys: p50 {:.1} ms, max {:.1} ms (20 runs)",
        times[10].as_secs_f64() * 1000.0,
        times[19].as_secs_f64() * 1000.0
    );

    let deleted: Vec<Value> = (0..count / 10)
        .map(|i| json!({"sku": format!("P{i:07}")}))
        .collect();
    let mut delete = DatasetImport::new("products", DatasetImportMode::DeleteByKeys);
    delete.key = Some(IndexSpec::parse("sku").unwrap());
    let summary = timed("delete by keys", &client, &table, &delete, &deleted).await;
    assert_eq!(summary.deleted, count / 10);
    let summary = timed(
        "delete by keys again (same file)",
        &client,
        &table,
        &delete,
        &deleted,
    )
    .await;
    assert_eq!(summary.unchanged, count / 10);
    let summary = timed(
        "replace (back to the first file)",
        &client,
        &table,
        &replace,
        &records,
    )
    .await;
    assert_eq!(summary.inserted, count);
    drop_table(&client, &table).await;
}
