//! What the DynamoDB Local tests share: the endpoint they need and one fresh table per test.

use aws_sdk_dynamodb::Client;

pub use webhook_test_support::{client, drop_table};

/// A new records table whose name no other test (or earlier run) uses.
pub async fn new_table(client: &Client, label: &str) -> String {
    webhook_test_support::new_records_table(client, "records", label).await
}
