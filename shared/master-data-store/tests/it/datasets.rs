//! Datasets on DynamoDB Local: lookups answer as the in-memory store does, and imports
//! replace atomically, update and delete by keys, and re-run without writing.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use dataset_store::{
    Dataset, DatasetInfo, DatasetStore, InMemoryDatasetStore, IndexSpec, StoredRecord, index_key,
};
use master_data_store::{
    DatasetImport, DatasetImportMode, DatasetImportSummary, DynamoDatasetStore, import_dataset,
};
use serde_json::{Value, json};

use crate::common::{client, count_items, drop_table, new_table};

fn spec(text: &str) -> IndexSpec {
    IndexSpec::parse(text).unwrap()
}

fn replace_of(name: &str, indexes: &[&str], fuzzy: &[&str]) -> DatasetImport {
    let mut import = DatasetImport::new(name, DatasetImportMode::Replace);
    import.indexes = indexes.iter().map(|i| spec(i)).collect();
    import.fuzzy_fields = fuzzy.iter().map(|f| (*f).to_owned()).collect();
    import.grace_period = Duration::ZERO;
    import
}

fn by_keys(name: &str, mode: DatasetImportMode, key: &str) -> DatasetImport {
    let mut import = DatasetImport::new(name, mode);
    import.key = Some(spec(key));
    import.grace_period = Duration::ZERO;
    import
}

async fn run(
    client: &Client,
    table: &str,
    import: &DatasetImport,
    records: &[Value],
) -> DatasetImportSummary {
    import_dataset(client, table, import, records, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("import of {} into {table}: {e}", import.name))
}

fn store(client: &Client, table: &str) -> DynamoDatasetStore {
    DynamoDatasetStore::new(client.clone(), table).with_head_cache_ttl(Duration::ZERO)
}

async fn describe(store: &dyn DatasetStore, name: &str) -> Option<DatasetInfo> {
    store
        .describe(&[name.to_owned()])
        .await
        .unwrap()
        .remove(name)
}

/// Every record of the dataset under `index`'s `key` values.
async fn find(
    store: &dyn DatasetStore,
    info: &DatasetInfo,
    index: &str,
    values: &[Value],
) -> Vec<Vec<StoredRecord>> {
    let keys: Vec<String> = values.iter().map(|v| index_key(&[v]).unwrap()).collect();
    store.find(info, &spec(index), &keys).await.unwrap()
}

fn records_of(found: &[StoredRecord]) -> Vec<Value> {
    found.iter().map(|r| (*r.record).clone()).collect()
}

fn products() -> Vec<Value> {
    vec![
        json!({"code": "A-1", "name": "Steel bolt M8", "price": 1.25, "vendor": {"id": 7}}),
        json!({"code": 42, "name": "Steel nut M8", "price": 2, "vendor": {"id": "7"}}),
        json!({"code": "42", "name": "Copper washer", "tags": ["a", {"b": null}], "vendor": {"id": 7}}),
        json!({"code": "A-1", "name": "Steel bolt M8 (old)", "price": 3, "vendor": {"id": 8}}),
        json!({"code": ["list"], "name": "Not indexable", "vendor": {"id": 7}}),
        json!({"name": "No code", "vendor": {"id": 7}}),
        json!({"code": 42.0, "name": 1234, "vendor": {"id": 7}}),
    ]
}

#[tokio::test]
async fn lookups_answer_exactly_as_the_in_memory_store_does() {
    let client = client().await;
    let table = new_table(&client, "ds-conformance").await;
    let indexes = ["code", "vendor.id+code", "vendor.id"];
    let import = replace_of("products", &indexes, &["name"]);
    let summary = run(&client, &table, &import, &products()).await;
    assert_eq!(summary.inserted, 7);

    let dynamo = store(&client, &table);
    let memory = InMemoryDatasetStore::new([Dataset::new(
        "products",
        products(),
        import.indexes.clone(),
        import.fuzzy_fields.clone(),
    )]);
    let names = ["products".to_owned(), "absent".to_owned(), "a#b".to_owned()];
    let from_dynamo = dynamo.describe(&names).await.unwrap();
    let from_memory = memory.describe(&names).await.unwrap();
    assert_eq!(from_dynamo.len(), 1);
    let (info, memory_info) = (&from_dynamo["products"], &from_memory["products"]);
    assert_eq!(
        DatasetInfo {
            generation: String::new(),
            ..info.clone()
        },
        DatasetInfo {
            generation: String::new(),
            ..memory_info.clone()
        }
    );

    let key_sets: [(&str, Vec<Vec<Value>>); 3] = [
        (
            "code",
            vec![
                vec![json!("A-1")],
                vec![json!(42)],
                vec![json!("42")],
                vec![json!("nope")],
            ],
        ),
        ("vendor.id", vec![vec![json!(7)], vec![json!("7")]]),
        (
            "code+vendor.id",
            vec![vec![json!("A-1"), json!(7)], vec![json!(42), json!("7")]],
        ),
    ];
    for (index, key_values) in key_sets {
        let index = spec(index);
        let mut keys: Vec<String> = key_values
            .iter()
            .map(|values| index_key(&values.iter().collect::<Vec<_>>()).unwrap())
            .collect();
        // The same key twice in one batch is answered twice.
        keys.push(keys[0].clone());
        let expected = memory.find(memory_info, &index, &keys).await.unwrap();
        let found = dynamo.find(info, &index, &keys).await.unwrap();
        assert_eq!(found, expected, "index {index}");
    }
    let typed = find(&dynamo, info, "code", &[json!("42"), json!(42)]).await;
    assert_eq!(records_of(&typed[0]), [products()[2].clone()]);
    assert_eq!(
        records_of(&typed[1]),
        [products()[1].clone(), products()[6].clone()]
    );

    let values = [
        "steel bolts".to_owned(),
        "copper".to_owned(),
        "1234".to_owned(),
        "nothing alike".to_owned(),
    ];
    let expected = memory
        .fuzzy_candidates(memory_info, "name", &values)
        .await
        .unwrap();
    let found = dynamo
        .fuzzy_candidates(info, "name", &values)
        .await
        .unwrap();
    assert_eq!(found, expected);
    assert!(found[0].len() >= 2);
    // Fields not indexed (for fuzzy, or at all) have no records, as in memory.
    assert!(
        dynamo
            .fuzzy_candidates(info, "code", &values[..1])
            .await
            .unwrap()[0]
            .is_empty()
    );
    assert!(find(&dynamo, info, "name", &[json!("Copper washer")]).await[0].is_empty());
    drop_table(&client, &table).await;
}

#[tokio::test]
async fn a_fuzzy_block_reads_at_most_its_limit_in_file_order() {
    let client = client().await;
    let table = new_table(&client, "ds-fuzzy-cap").await;
    let records: Vec<Value> = (0..6)
        .map(|i| json!({"name": format!("Steel part {i}")}))
        .collect();
    run(
        &client,
        &table,
        &replace_of("parts", &[], &["name"]),
        &records,
    )
    .await;
    let dynamo = store(&client, &table).with_fuzzy_block_limit(2);
    let info = describe(&dynamo, "parts").await.unwrap();
    // One block per value ("stee" then "part"): each capped at its first two records.
    let found = dynamo
        .fuzzy_candidates(
            &info,
            "name",
            &["steel".to_owned(), "steel parts".to_owned()],
        )
        .await
        .unwrap();
    let positions = |found: &[StoredRecord]| found.iter().map(|r| r.position).collect::<Vec<_>>();
    assert_eq!(positions(&found[0]), [0, 1]);
    assert_eq!(positions(&found[1]), [0, 1]);
    drop_table(&client, &table).await;
}

#[tokio::test]
async fn many_keys_of_one_find_come_back_in_order() {
    let client = client().await;
    let table = new_table(&client, "ds-many-keys").await;
    let records: Vec<Value> = (0..150)
        .map(|i| json!({"sku": format!("P{}", i % 100), "row": i}))
        .collect();
    run(
        &client,
        &table,
        &replace_of("lines", &["sku"], &[]),
        &records,
    )
    .await;
    let dynamo = store(&client, &table);
    let info = describe(&dynamo, "lines").await.unwrap();
    let asked: Vec<Value> = (0..100).rev().map(|i| json!(format!("P{i}"))).collect();
    let found = find(&dynamo, &info, "sku", &asked).await;
    for (asked, found) in asked.iter().zip(&found) {
        let i: u64 = asked.as_str().unwrap()[1..].parse().unwrap();
        let rows: Vec<u64> = found
            .iter()
            .map(|r| r.record["row"].as_u64().unwrap())
            .collect();
        let expected: Vec<u64> = [i, i + 100].into_iter().filter(|r| *r < 150).collect();
        assert_eq!(rows, expected, "{asked}");
    }
    drop_table(&client, &table).await;
}

#[tokio::test]
async fn a_replace_switches_at_once_and_keeps_the_old_generation_for_its_grace_period() {
    let client = client().await;
    let table = new_table(&client, "ds-replace").await;
    let old: Vec<Value> = (0..5).map(|i| json!({"id": i, "v": "old"})).collect();
    let new: Vec<Value> = (0..3).map(|i| json!({"id": i, "v": "new"})).collect();
    run(&client, &table, &replace_of("orders", &["id"], &[]), &old).await;
    let dynamo = store(&client, &table);
    let old_info = describe(&dynamo, "orders").await.unwrap();
    let items_before = count_items(&client, &table).await;

    let mut import = replace_of("orders", &["id"], &[]);
    import.grace_period = Duration::from_secs(3);
    let replacing = {
        let (client, table) = (client.clone(), table.clone());
        tokio::spawn(async move { run(&client, &table, &import, &new).await })
    };
    let new_info = loop {
        let info = describe(&dynamo, "orders").await.unwrap();
        if info.generation != old_info.generation {
            break info;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(new_info.records, 3);
    let keys = [json!(1), json!(4)];
    let through_old = find(&dynamo, &old_info, "id", &keys).await;
    assert_eq!(records_of(&through_old[0]), [json!({"id": 1, "v": "old"})]);
    assert_eq!(records_of(&through_old[1]), [json!({"id": 4, "v": "old"})]);
    let through_new = find(&dynamo, &new_info, "id", &keys).await;
    assert_eq!(records_of(&through_new[0]), [json!({"id": 1, "v": "new"})]);
    assert!(through_new[1].is_empty());

    let summary = replacing.await.unwrap();
    assert_eq!((summary.inserted, summary.deleted), (3, 5));
    assert!(find(&dynamo, &old_info, "id", &keys).await[0].is_empty());
    // The head, and per record a profile and an index item.
    assert_eq!(items_before, 1 + 5 * 2);
    assert_eq!(count_items(&client, &table).await, 1 + 3 * 2);
    drop_table(&client, &table).await;
}

#[tokio::test]
async fn the_same_file_again_writes_nothing() {
    let client = client().await;
    let table = new_table(&client, "ds-idempotent").await;
    let import = replace_of("products", &["code", "vendor.id+code"], &["name"]);
    run(&client, &table, &import, &products()).await;
    let before = webhook_test_support::all_items(&client, &table).await;
    let again = run(&client, &table, &import, &products()).await;
    assert_eq!(again.unchanged, 7);
    assert_eq!((again.inserted, again.updated, again.deleted), (0, 0, 0));
    let update = by_keys("products", DatasetImportMode::UpdateByKeys, "name");
    let by_name = run(&client, &table, &update, &products()).await;
    assert_eq!(by_name.unchanged, 7, "{by_name:?}");
    assert_eq!((by_name.inserted, by_name.updated), (0, 0));
    let after = webhook_test_support::all_items(&client, &table).await;
    let sorted = |mut items: Vec<HashMap<_, _>>| {
        items.sort_by_key(|i| format!("{:?}{:?}", i["pk"], i["sk"]));
        items
    };
    assert_eq!(sorted(after), sorted(before));
    drop_table(&client, &table).await;
}

/// MDH's own example: `{id:1,Rossum}, {id:3,Rossum UK}` and a file `{id:1,Rossum LTD},
/// {id:2,Rossum Prague}`.
#[tokio::test]
async fn update_replace_and_delete_by_keys_follow_mdh() {
    let client = client().await;
    let table = new_table(&client, "ds-by-keys").await;
    let dynamo = store(&client, &table);
    let stored = [
        json!({"id": 1, "name": "Rossum"}),
        json!({"id": 3, "name": "Rossum UK"}),
    ];
    let file = [
        json!({"id": 1, "name": "Rossum LTD"}),
        json!({"id": 2, "name": "Rossum Prague"}),
    ];
    let all = async |dynamo: &DynamoDatasetStore| {
        let info = describe(dynamo, "companies").await.unwrap();
        let found = find(dynamo, &info, "id", &[json!(1), json!(2), json!(3)]).await;
        let mut records: Vec<StoredRecord> = found.into_iter().flatten().collect();
        records.sort_by_key(|r| r.position);
        (info.records, records_of(&records))
    };
    let replace = replace_of("companies", &["id"], &["name"]);

    run(&client, &table, &replace, &stored).await;
    let update = by_keys("companies", DatasetImportMode::UpdateByKeys, "id");
    let summary = run(&client, &table, &update, &file).await;
    assert_eq!(
        (summary.inserted, summary.updated, summary.unchanged),
        (1, 1, 0)
    );
    assert_eq!(
        all(&dynamo).await,
        (3, vec![file[0].clone(), stored[1].clone(), file[1].clone()])
    );
    // The fuzzy items carry the updated record, and the new one has its own.
    let info = describe(&dynamo, "companies").await.unwrap();
    let fuzzy = dynamo
        .fuzzy_candidates(&info, "name", &["rossum".to_owned(), "prague".to_owned()])
        .await
        .unwrap();
    assert_eq!(
        records_of(&fuzzy[0]),
        [file[0].clone(), stored[1].clone(), file[1].clone()]
    );
    assert_eq!(records_of(&fuzzy[1]), [file[1].clone()]);

    run(&client, &table, &replace, &stored).await;
    let replace_by_keys = by_keys("companies", DatasetImportMode::ReplaceByKeys, "id");
    let summary = run(&client, &table, &replace_by_keys, &file).await;
    assert_eq!(
        (summary.inserted, summary.updated, summary.deleted),
        (1, 1, 1)
    );
    assert_eq!(all(&dynamo).await, (2, file.to_vec()));
    let again = run(&client, &table, &replace_by_keys, &file).await;
    assert_eq!(
        (
            again.unchanged,
            again.inserted,
            again.updated,
            again.deleted
        ),
        (2, 0, 0, 0)
    );

    let delete = by_keys("companies", DatasetImportMode::DeleteByKeys, "id");
    let summary = run(
        &client,
        &table,
        &delete,
        &[json!({"id": 1}), json!({"id": 9})],
    )
    .await;
    assert_eq!((summary.deleted, summary.unchanged), (1, 1));
    assert_eq!(all(&dynamo).await, (1, vec![file[1].clone()]));
    // The head, and the one record's profile, index item and two name blocks.
    assert_eq!(count_items(&client, &table).await, 1 + 4);
    drop_table(&client, &table).await;
}

#[tokio::test]
async fn rows_that_cannot_be_stored_are_rejected_and_the_rest_imported() {
    let client = client().await;
    let table = new_table(&client, "ds-rejected").await;
    let records = [
        json!({"id": 1}),
        json!({"id": "x".repeat(3000)}),
        json!({"id": 2, "blob": "y".repeat(500 * 1024)}),
        json!({"id": 3}),
    ];
    let summary = run(
        &client,
        &table,
        &replace_of("things", &["id"], &[]),
        &records,
    )
    .await;
    assert_eq!(summary.inserted, 2);
    let rejected: Vec<usize> = summary.rejected.iter().map(|r| r.index).collect();
    assert_eq!(rejected, [1, 2]);
    assert!(summary.rejected[0].reason.contains("too long"));
    assert!(summary.rejected[1].reason.contains("too large"));

    let update = by_keys("things", DatasetImportMode::UpdateByKeys, "id");
    let file = [
        json!({"id": 4}),
        json!({"other": 1}),
        json!({"id": 4, "again": true}),
    ];
    let summary = run(&client, &table, &update, &file).await;
    assert_eq!(summary.inserted, 1);
    let reasons: Vec<(usize, &str)> = summary
        .rejected
        .iter()
        .map(|r| (r.index, r.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].0 == 1 && reasons[0].1.contains("no value for the key id"));
    assert!(reasons[1].0 == 2 && reasons[1].1.contains("also the key of record 1"));

    let missing = by_keys("nothing", DatasetImportMode::UpdateByKeys, "id");
    let err = import_dataset(&client, &table, &missing, &file, &mut |_| {})
        .await
        .unwrap_err();
    assert!(err.reason.contains("does not exist"), "{err}");
    drop_table(&client, &table).await;
}

#[tokio::test]
async fn an_interrupted_replace_leaves_the_dataset_as_it_was() {
    let client = client().await;
    let table = new_table(&client, "ds-interrupted").await;
    let old = [json!({"id": 1, "v": "old"})];
    let import = replace_of("orders", &["id"], &[]);
    run(&client, &table, &import, &old).await;
    let dynamo = store(&client, &table);
    let old_info = describe(&dynamo, "orders").await.unwrap();

    let new: Vec<Value> = (0..1200).map(|i| json!({"id": i, "v": "new"})).collect();
    let interrupted = {
        let (client, table, import, new) =
            (client.clone(), table.clone(), import.clone(), new.clone());
        tokio::spawn(async move {
            // The first step written, the import stops (as a killed process would).
            import_dataset(&client, &table, &import, &new, &mut |_| {
                panic!("interrupted")
            })
            .await
        })
    };
    assert!(interrupted.await.unwrap_err().is_panic());
    assert_eq!(describe(&dynamo, "orders").await.unwrap(), old_info);
    let found = find(&dynamo, &old_info, "id", &[json!(1)]).await;
    assert_eq!(records_of(&found[0]), old);

    // The next replace deletes what the interrupted one left.
    let summary = run(&client, &table, &import, &old).await;
    assert_eq!(summary.unchanged, 1);
    assert_eq!(count_items(&client, &table).await, 1 + 2);
    drop_table(&client, &table).await;
}
