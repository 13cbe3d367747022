//! Creating the records table (deployments create it from `template.yaml`; this is for
//! DynamoDB Local and tests).

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::describe_table::DescribeTableOutput;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, IndexStatus, KeySchemaElement, KeyType,
    Projection, ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TableDescription, TimeToLiveSpecification, TimeToLiveStatus,
};
use aws_sdk_dynamodb::waiters::table_exists::WaitUntilTableExistsError;

use crate::RecordError;
use crate::dynamo::{EXPIRES_AT, EXPORTED_AT, PICKUP, PK, SK, sdk_error};

/// The sparse index an ERP queries for export records waiting to be picked up.
pub const ERP_PICKUP_INDEX: &str = "erp_pickup";

/// How long a new table may take to become ACTIVE (seconds on DynamoDB, instant locally).
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(300);

/// Creates the records table unless it exists (`pk` S HASH, `sk` S RANGE, on demand, the
/// index [`ERP_PICKUP_INDEX`], a `NEW_IMAGE` stream as the template's, which drives
/// `inkit-document-details`), waits until it is ACTIVE and turns on TTL on `expires_at`.
/// An existing table with another key schema or without the index is an error.
pub async fn create_records_table(client: &Client, table: &str) -> Result<(), RecordError> {
    let build_error = |e: aws_sdk_dynamodb::error::BuildError| {
        RecordError(format!("definition of table {table:?}: {e}"))
    };
    let key = |name: &str, key_type| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(key_type)
            .build()
            .map_err(build_error)
    };
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(build_error)
    };
    let pickup_index = GlobalSecondaryIndex::builder()
        .index_name(ERP_PICKUP_INDEX)
        .key_schema(key(PICKUP, KeyType::Hash)?)
        .key_schema(key(EXPORTED_AT, KeyType::Range)?)
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .map_err(build_error)?;
    let created = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute(PK)?)
        .attribute_definitions(attribute(SK)?)
        .attribute_definitions(attribute(PICKUP)?)
        .attribute_definitions(attribute(EXPORTED_AT)?)
        .key_schema(key(PK, KeyType::Hash)?)
        .key_schema(key(SK, KeyType::Range)?)
        .global_secondary_indexes(pickup_index)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewImage)
                .build()
                .map_err(build_error)?,
        )
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
    let description = wait_until_active(client, table).await?;
    check_schema(table, &description)?;
    enable_ttl(client, table).await
}

/// The table once it and its indexes are ACTIVE. The SDK's waiter waits for the table; an
/// index added to an existing table after its creation can still be CREATING (backfilling)
/// when the table is ACTIVE, so the indexes are then polled until they are too.
async fn wait_until_active(client: &Client, table: &str) -> Result<TableDescription, RecordError> {
    let started = Instant::now();
    let waited = client
        .wait_until_table_exists()
        .table_name(table)
        .wait(ACTIVE_TIMEOUT)
        .await
        .map_err(|e| waiter_error(table, e))?
        .into_result()
        .map_err(|e| sdk_error("DescribeTable", table, e))?;
    let mut description = table_of(table, waited)?;
    let mut pause = Duration::from_millis(100);
    while !description
        .global_secondary_indexes()
        .iter()
        .all(|i| i.index_status() == Some(&IndexStatus::Active))
    {
        if started.elapsed() > ACTIVE_TIMEOUT {
            return Err(RecordError(format!(
                "the indexes of table {table:?} are still not ACTIVE after {} s",
                ACTIVE_TIMEOUT.as_secs()
            )));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(2));
        let described = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeTable", table, e))?;
        description = table_of(table, described)?;
    }
    Ok(description)
}

fn table_of(table: &str, described: DescribeTableOutput) -> Result<TableDescription, RecordError> {
    described
        .table
        .ok_or_else(|| RecordError(format!("DescribeTable of {table:?} returned no table")))
}

fn waiter_error(table: &str, err: WaitUntilTableExistsError) -> RecordError {
    match err {
        WaitUntilTableExistsError::OperationFailed(failed) => {
            sdk_error("DescribeTable", table, failed.into_error())
        }
        WaitUntilTableExistsError::ExceededMaxWait(_) => RecordError(format!(
            "table {table:?} is still not ACTIVE after {} s",
            ACTIVE_TIMEOUT.as_secs()
        )),
        other => RecordError(format!(
            "waiting for table {table:?} to be ACTIVE failed: {}",
            DisplayErrorContext(&other)
        )),
    }
}

fn check_schema(table: &str, description: &TableDescription) -> Result<(), RecordError> {
    let schema: Vec<(&str, &KeyType)> = description
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name(), k.key_type()))
        .collect();
    let expected = [(PK, &KeyType::Hash), (SK, &KeyType::Range)];
    if schema.len() != 2 || !expected.iter().all(|e| schema.contains(e)) {
        return Err(RecordError(format!(
            "table {table:?} exists but its key schema is {schema:?}, not pk (HASH) + sk (RANGE)"
        )));
    }
    let has_index = description
        .global_secondary_indexes()
        .iter()
        .any(|i| i.index_name() == Some(ERP_PICKUP_INDEX));
    if !has_index {
        return Err(RecordError(format!(
            "table {table:?} exists but has no index {ERP_PICKUP_INDEX:?}"
        )));
    }
    Ok(())
}

/// Whether TTL is on `expires_at` (`true`), off (`false`), or on another attribute (an error).
async fn ttl_enabled(client: &Client, table: &str) -> Result<bool, RecordError> {
    let described = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|e| sdk_error("DescribeTimeToLive", table, e))?;
    let ttl = described.time_to_live_description();
    let status = ttl.and_then(|d| d.time_to_live_status());
    let attribute = ttl.and_then(|d| d.attribute_name());
    match status {
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
            if attribute == Some(EXPIRES_AT) =>
        {
            Ok(true)
        }
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling) => Err(RecordError(format!(
            "table {table:?} has TTL on {attribute:?}, not {EXPIRES_AT:?}"
        ))),
        _ => Ok(false),
    }
}

async fn enable_ttl(client: &Client, table: &str) -> Result<(), RecordError> {
    if ttl_enabled(client, table).await? {
        return Ok(());
    }
    let specification = TimeToLiveSpecification::builder()
        .enabled(true)
        .attribute_name(EXPIRES_AT)
        .build()
        .map_err(|e| RecordError(format!("TTL of table {table:?}: {e}")))?;
    let updated = client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(specification)
        .send()
        .await;
    match updated {
        Ok(_) => Ok(()),
        // Another process creating the same table (several local servers, say) may have
        // turned TTL on between our check and our update: that is success too.
        Err(_) if ttl_enabled(client, table).await? => Ok(()),
        Err(err) => Err(sdk_error("UpdateTimeToLive", table, err)),
    }
}
