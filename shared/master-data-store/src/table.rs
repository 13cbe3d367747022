//! Creating the master-data table.

use vendor_matching::master_data_unavailable;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{BillingMode, KeyType};
use dynamodb_support::{
    PK, SK, attribute_definition, check_pk_sk_schema, create_table, key_schema_element,
    wait_until_table_active,
};
use vendor_matching::Unavailable;

/// Creates the master-data table (`pk` S HASH, `sk` S RANGE, on demand) unless it exists,
/// and waits until it is ACTIVE. An existing table with another key schema is an error.
pub async fn create_master_data_table(client: &Client, table: &str) -> Result<(), Unavailable> {
    let request = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute_definition(PK).map_err(master_data_unavailable)?)
        .attribute_definitions(attribute_definition(SK).map_err(master_data_unavailable)?)
        .key_schema(key_schema_element(PK, KeyType::Hash).map_err(master_data_unavailable)?)
        .key_schema(key_schema_element(SK, KeyType::Range).map_err(master_data_unavailable)?);
    create_table(request, table)
        .await
        .map_err(master_data_unavailable)?;
    let description = wait_until_table_active(client, table)
        .await
        .map_err(master_data_unavailable)?;
    check_pk_sk_schema(table, &description).map_err(master_data_unavailable)
}
