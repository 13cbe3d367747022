//! Creating the master-data table.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use aws_sdk_dynamodb::waiters::table_exists::WaitUntilTableExistsError;
use vendor_matching::StoreError;

use crate::item::{PK, SK};
use crate::sdk_error;

/// How long a new table may take to become ACTIVE (seconds on DynamoDB, instant locally).
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(300);

/// Creates the master-data table (`pk` S HASH, `sk` S RANGE, on demand) unless it exists,
/// and waits until it is ACTIVE. An existing table with another key schema is an error.
pub async fn create_master_data_table(client: &Client, table: &str) -> Result<(), StoreError> {
    let key = |name: &str, key_type| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(key_type)
            .build()
            .map_err(|e| StoreError(format!("key schema of {table:?}: {e}")))
    };
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(|e| StoreError(format!("attributes of {table:?}: {e}")))
    };
    let created = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute(PK)?)
        .attribute_definitions(attribute(SK)?)
        .key_schema(key(PK, KeyType::Hash)?)
        .key_schema(key(SK, KeyType::Range)?)
        .send()
        .await;
    match created {
        Ok(_) => {}
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) => {}
        Err(err) => return Err(sdk_error("CreateTable", table, err)),
    }
    wait_until_active(client, table).await
}

/// Waits until the table is ACTIVE (the SDK's waiter; the table has no index), then checks its
/// key schema.
async fn wait_until_active(client: &Client, table: &str) -> Result<(), StoreError> {
    let described = client
        .wait_until_table_exists()
        .table_name(table)
        .wait(ACTIVE_TIMEOUT)
        .await
        .map_err(|e| waiter_error(table, e))?
        .into_result()
        .map_err(|e| sdk_error("DescribeTable", table, e))?;
    let schema: Vec<(&str, &KeyType)> = described
        .table()
        .map(|t| t.key_schema())
        .unwrap_or_default()
        .iter()
        .map(|k| (k.attribute_name(), k.key_type()))
        .collect();
    let expected = [(PK, &KeyType::Hash), (SK, &KeyType::Range)];
    if schema.len() != 2 || !expected.iter().all(|e| schema.contains(e)) {
        return Err(StoreError(format!(
            "table {table:?} exists but its key schema is {schema:?}, not pk (HASH) + sk (RANGE)"
        )));
    }
    Ok(())
}

fn waiter_error(table: &str, err: WaitUntilTableExistsError) -> StoreError {
    match err {
        WaitUntilTableExistsError::OperationFailed(failed) => {
            sdk_error("DescribeTable", table, failed.into_error())
        }
        WaitUntilTableExistsError::ExceededMaxWait(_) => StoreError(format!(
            "table {table:?} is still not ACTIVE after {} s",
            ACTIVE_TIMEOUT.as_secs()
        )),
        other => StoreError(format!(
            "waiting for table {table:?} to be ACTIVE failed: {}",
            DisplayErrorContext(&other)
        )),
    }
}
