//! Creating the master-data table.

use std::time::{Duration, Instant};
use vendor_matching::master_data_unavailable;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::describe_table::DescribeTableOutput;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, IndexStatus, KeySchemaElement, KeyType, ScalarAttributeType,
    TableDescription,
};
use aws_sdk_dynamodb::waiters::table_exists::WaitUntilTableExistsError;
use vendor_matching::Unavailable;

use crate::item::{PK, SK};
use crate::sdk_error;

/// How long a new table may take to become ACTIVE (seconds on DynamoDB, instant locally).
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(300);

/// Creates the master-data table (`pk` S HASH, `sk` S RANGE, on demand) unless it exists,
/// and waits until it is ACTIVE. An existing table with another key schema is an error.
pub async fn create_master_data_table(client: &Client, table: &str) -> Result<(), Unavailable> {
    let key = |name: &str, key_type| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(key_type)
            .build()
            .map_err(|e| master_data_unavailable(format!("key schema of {table:?}: {e}")))
    };
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(|e| master_data_unavailable(format!("attributes of {table:?}: {e}")))
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

/// Waits until the table is ACTIVE, then checks its key schema.
async fn wait_until_active(client: &Client, table: &str) -> Result<(), Unavailable> {
    let description = wait_until_table_active(client, table)
        .await
        .map_err(master_data_unavailable)?;
    check_pk_sk_schema(table, &description).map_err(master_data_unavailable)
}

/// The table once it and its indexes are ACTIVE, for every store that creates a table. The
/// SDK's waiter waits for the table; an index added to an existing table after its creation
/// can still be CREATING (backfilling) when the table is ACTIVE, so the indexes are then
/// polled until they are too. Errors are text, for each store's own error type.
pub async fn wait_until_table_active(
    client: &Client,
    table: &str,
) -> Result<TableDescription, String> {
    let started = Instant::now();
    let waited = client
        .wait_until_table_exists()
        .table_name(table)
        .wait(ACTIVE_TIMEOUT)
        .await
        .map_err(|e| waiter_error(table, e))?
        .into_result()
        .map_err(|e| sdk_error("DescribeTable", table, e).reason)?;
    let mut description = table_of(table, waited)?;
    let mut pause = Duration::from_millis(100);
    while !description
        .global_secondary_indexes()
        .iter()
        .all(|i| i.index_status() == Some(&IndexStatus::Active))
    {
        if started.elapsed() > ACTIVE_TIMEOUT {
            return Err(format!(
                "the indexes of table {table:?} are still not ACTIVE after {} s",
                ACTIVE_TIMEOUT.as_secs()
            ));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(2));
        let described = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeTable", table, e).reason)?;
        description = table_of(table, described)?;
    }
    Ok(description)
}

/// Whether the table's key schema is `pk` (HASH) + `sk` (RANGE), as every table here is.
pub fn check_pk_sk_schema(table: &str, description: &TableDescription) -> Result<(), String> {
    let schema: Vec<(&str, &KeyType)> = description
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name(), k.key_type()))
        .collect();
    let expected = [(PK, &KeyType::Hash), (SK, &KeyType::Range)];
    if schema.len() != 2 || !expected.iter().all(|e| schema.contains(e)) {
        return Err(format!(
            "table {table:?} exists but its key schema is {schema:?}, not pk (HASH) + sk (RANGE)"
        ));
    }
    Ok(())
}

fn table_of(table: &str, described: DescribeTableOutput) -> Result<TableDescription, String> {
    described
        .table
        .ok_or_else(|| format!("DescribeTable of {table:?} returned no table"))
}

fn waiter_error(table: &str, err: WaitUntilTableExistsError) -> String {
    match err {
        WaitUntilTableExistsError::OperationFailed(failed) => {
            sdk_error("DescribeTable", table, failed.into_error()).reason
        }
        WaitUntilTableExistsError::ExceededMaxWait(_) => format!(
            "table {table:?} is still not ACTIVE after {} s",
            ACTIVE_TIMEOUT.as_secs()
        ),
        other => format!(
            "waiting for table {table:?} to be ACTIVE failed: {}",
            DisplayErrorContext(&other)
        ),
    }
}
