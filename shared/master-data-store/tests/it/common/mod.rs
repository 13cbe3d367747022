//! What the integration tests share: the DynamoDB Local they run against, one fresh table per
//! test, and vendors to put in it.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::Select;
use master_data_store::{ImportSummary, Vendor, import_vendors};

pub use webhook_test_support::{client, drop_table};

pub mod generated;

/// A new master-data table whose name no other test (or earlier run) uses.
pub async fn new_table(client: &Client, label: &str) -> String {
    webhook_test_support::new_master_data_table(client, "vendors", label).await
}

/// Every item of the table, counted by Scan (tests only: a Scan reads the whole table), in
/// parallel segments since a large table takes a while.
pub async fn count_items(client: &Client, table: &str) -> usize {
    const SEGMENTS: i32 = 4;
    let mut segments = tokio::task::JoinSet::new();
    for segment in 0..SEGMENTS {
        let (client, table) = (client.clone(), table.to_owned());
        segments.spawn(async move {
            let mut count = 0;
            let mut start = None;
            loop {
                let page = client
                    .scan()
                    .table_name(&table)
                    .select(Select::Count)
                    .segment(segment)
                    .total_segments(SEGMENTS)
                    .set_exclusive_start_key(start)
                    .send()
                    .await
                    .expect("scan");
                count += page.count() as usize;
                match page.last_evaluated_key {
                    Some(key) if !key.is_empty() => start = Some(key),
                    _ => return count,
                }
            }
        });
    }
    segments.join_all().await.into_iter().sum()
}

/// The items an import must have written for `vendors`: a profile and one per index key.
pub fn expected_items(vendors: &[Vendor]) -> usize {
    vendors
        .iter()
        .map(|v| 1 + vendor_matching::index_keys(v).len())
        .sum()
}

pub async fn import(client: &Client, table: &str, vendors: &[Vendor]) -> ImportSummary {
    import_vendors(client, table, vendors, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("import into {table}: {e}"))
}

/// A vendor from field pairs, as a vendor file row would give it.
pub fn vendor(fields: &[(&str, &str)]) -> Vendor {
    Vendor::from_fields(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    )
    .unwrap_or_else(|e| panic!("test vendor {fields:?}: {e}"))
}
