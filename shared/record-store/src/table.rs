//! Creating the records table (deployments create it from `template.yaml`; this is for
//! DynamoDB Local and tests).

use crate::records_unavailable;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    BillingMode, GlobalSecondaryIndex, KeyType, Projection, ProjectionType, StreamSpecification,
    StreamViewType, TableDescription, TimeToLiveSpecification, TimeToLiveStatus,
};
use dynamodb_support::{
    attribute_definition, check_pk_sk_schema, create_table, key_schema_element, sdk_error,
    wait_until_table_active,
};

use crate::dynamo::{EXPIRES_AT, EXPORTED_AT, PICKUP, PK, SK};
use crate::{RECORDS, Unavailable};

/// The sparse index an ERP queries for export records waiting to be picked up.
pub const ERP_PICKUP_INDEX: &str = "erp_pickup";

/// Creates the records table unless it exists (`pk` S HASH, `sk` S RANGE, on demand, the
/// index [`ERP_PICKUP_INDEX`], a `NEW_AND_OLD_IMAGES` stream as the template's, which drives
/// `inkit-document-details`), waits until it is ACTIVE and turns on TTL on `expires_at`.
/// An existing table with another key schema or without the index is an error.
pub async fn create_records_table(client: &Client, table: &str) -> Result<(), Unavailable> {
    let build_error = |e: aws_sdk_dynamodb::error::BuildError| {
        records_unavailable(format!("definition of table {table:?}: {e}"))
    };
    let key =
        |name: &str, key_type| key_schema_element(name, key_type).map_err(records_unavailable);
    let attribute = |name: &str| attribute_definition(name).map_err(records_unavailable);
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
    let request = client
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
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .map_err(build_error)?,
        );
    create_table(request, table)
        .await
        .map_err(records_unavailable)?;
    let description = wait_until_table_active(client, table)
        .await
        .map_err(records_unavailable)?;
    check_schema(table, &description)?;
    enable_ttl(client, table).await
}

fn check_schema(table: &str, description: &TableDescription) -> Result<(), Unavailable> {
    check_pk_sk_schema(table, description).map_err(records_unavailable)?;
    let has_index = description
        .global_secondary_indexes()
        .iter()
        .any(|i| i.index_name() == Some(ERP_PICKUP_INDEX));
    if !has_index {
        return Err(records_unavailable(format!(
            "table {table:?} exists but has no index {ERP_PICKUP_INDEX:?}"
        )));
    }
    Ok(())
}

/// Whether TTL is on `expires_at` (`true`), off (`false`), or on another attribute (an error).
async fn ttl_enabled(client: &Client, table: &str) -> Result<bool, Unavailable> {
    let described = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|e| sdk_error(RECORDS, "DescribeTimeToLive", table, e))?;
    let ttl = described.time_to_live_description();
    let status = ttl.and_then(|d| d.time_to_live_status());
    let attribute = ttl.and_then(|d| d.attribute_name());
    match status {
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
            if attribute == Some(EXPIRES_AT) =>
        {
            Ok(true)
        }
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling) => Err(records_unavailable(
            format!("table {table:?} has TTL on {attribute:?}, not {EXPIRES_AT:?}"),
        )),
        _ => Ok(false),
    }
}

async fn enable_ttl(client: &Client, table: &str) -> Result<(), Unavailable> {
    if ttl_enabled(client, table).await? {
        return Ok(());
    }
    let specification = TimeToLiveSpecification::builder()
        .enabled(true)
        .attribute_name(EXPIRES_AT)
        .build()
        .map_err(|e| records_unavailable(format!("TTL of table {table:?}: {e}")))?;
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
        Err(err) => Err(sdk_error(RECORDS, "UpdateTimeToLive", table, err)),
    }
}
