//! What the DynamoDB Local tests share: the endpoint they need, one fresh table per test, and
//! the table's items read back.

use std::collections::HashMap;
use std::fmt::Debug;
use std::future::Future;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use record_store::{DynamoRecordStore, Unavailable, Written};

pub use webhook_test_support::{all_items, client, drop_table};

/// One item of the table, as a Scan returns it.
pub type Item = HashMap<String, AttributeValue>;

/// A new records table whose name no other test (or earlier run) uses.
pub async fn new_table(client: &Client, label: &str) -> String {
    webhook_test_support::new_records_table(client, "records", label).await
}

/// A store on a new records table (see [`new_table`]); [`finish`] drops it.
pub async fn store(label: &str) -> DynamoRecordStore {
    let client = client().await;
    let table = new_table(&client, label).await;
    DynamoRecordStore::new(client, table)
}

/// Drops the table of a store made by [`store`].
pub async fn finish(store: &DynamoRecordStore) {
    drop_table(store.client(), store.table()).await;
}

/// Every item of the store's table (tests only: a Scan reads the whole table).
pub async fn items(store: &DynamoRecordStore) -> Vec<Item> {
    all_items(store.client(), store.table()).await
}

/// A store whose endpoint refuses every connection at once (port 1 on loopback: nothing
/// listens there).
pub async fn unreachable_store() -> DynamoRecordStore {
    let client = dynamodb_support::connect(Some("http://127.0.0.1:1")).await;
    DynamoRecordStore::new(client, "records")
}

/// The string attribute `name` of `item`; fails the test if it is absent or not a string.
pub fn text<'a>(item: &'a Item, name: &str) -> &'a str {
    match item.get(name) {
        Some(AttributeValue::S(value)) => value,
        other => panic!("{name} is {other:?}"),
    }
}

/// Checks the string attributes of `item`, each `(name, value)`; a failure names the
/// attribute.
pub fn assert_texts(item: &Item, expected: &[(&str, &str)]) {
    for (name, value) in expected {
        assert_eq!(text(item, name), *value, "{name}");
    }
}

/// Fails the test if `item` has the attribute `name`, saying `why` it should not.
pub fn assert_absent(item: &Item, name: &str, why: &str) {
    assert!(
        !item.contains_key(name),
        "{name} is present ({why}): {item:?}"
    );
}

/// The item of `items` whose sort key is `sk`; fails the test if there is none.
pub fn with_sort_key<'a>(items: &'a [Item], sk: &str) -> &'a Item {
    items
        .iter()
        .find(|i| i["sk"] == AttributeValue::S(sk.to_owned()))
        .unwrap_or_else(|| panic!("no item {sk}: {items:?}"))
}

/// Fails the test unless `result` is an error whose message names `operation` (the DynamoDB
/// operation that could not be done).
pub fn assert_fails_naming<T: Debug>(result: Result<T, Unavailable>, operation: &str) {
    let error = result.expect_err(operation);
    assert!(
        error.to_string().contains(operation),
        "{operation}: {error}"
    );
}

/// Makes each write in turn (`write` of its record) and checks what each did; a failure names
/// the write and its record.
pub async fn assert_writes<R: Debug>(
    write: impl AsyncFn(&R) -> Result<Written, Unavailable>,
    writes: &[(&R, Written)],
) {
    for (i, (record, expected)) in writes.iter().enumerate() {
        assert_eq!(write(record).await, Ok(*expected), "write {i}: {record:?}");
    }
}

/// Spawns `count` tasks at once, task `i` being `task(a clone of shared, i)`; their outcomes,
/// in the order they finished (a task that panics fails the test).
pub async fn at_once<S, F, T>(shared: &S, count: usize, task: impl Fn(S, usize) -> F) -> Vec<T>
where
    S: Clone,
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    (0..count)
        .map(|i| task(shared.clone(), i))
        .collect::<tokio::task::JoinSet<_>>()
        .join_all()
        .await
}
