//! Tables: creating one unless it exists, waiting until it is usable, and the key schema
//! every table here has (`pk` S HASH + `sk` S RANGE). Errors are text, for each store's own
//! error.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::create_table::builders::CreateTableFluentBuilder;
use aws_sdk_dynamodb::operation::describe_table::DescribeTableOutput;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, IndexStatus, KeySchemaElement, KeyType, ScalarAttributeType,
    TableDescription,
};
use aws_sdk_dynamodb::waiters::table_exists::WaitUntilTableExistsError;

use crate::{PK, SK, sdk_failure};

/// How long a new table may take to become ACTIVE (seconds on DynamoDB, instant locally).
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(300);

/// One element of a key schema: `name` as `key_type`.
pub fn key_schema_element(name: &str, key_type: KeyType) -> Result<KeySchemaElement, String> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
        .map_err(|e| format!("key schema element {name:?}: {e}"))
}

/// The definition of the string attribute `name` (every key here is a string).
pub fn attribute_definition(name: &str) -> Result<AttributeDefinition, String> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(|e| format!("attribute definition {name:?}: {e}"))
}

/// Sends `request` (a `CreateTable` of `table`): a table that exists already is success
/// too, left as it is (the caller then checks that it is the table it expects).
pub async fn create_table(request: CreateTableFluentBuilder, table: &str) -> Result<(), String> {
    match request.send().await {
        Ok(_) => Ok(()),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) =>
        {
            Ok(())
        }
        Err(err) => Err(sdk_failure("CreateTable", table, &err)),
    }
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
        .map_err(|e| sdk_failure("DescribeTable", table, &e))?;
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
            .map_err(|e| sdk_failure("DescribeTable", table, &e))?;
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
            sdk_failure("DescribeTable", table, &failed.into_error())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn described(keys: &[(&str, KeyType)]) -> TableDescription {
        let mut table = TableDescription::builder();
        for (name, key_type) in keys {
            table = table.key_schema(key_schema_element(name, key_type.clone()).unwrap());
        }
        table.build()
    }

    #[test]
    fn the_pk_sk_schema_is_accepted_in_either_order() {
        let table = described(&[("pk", KeyType::Hash), ("sk", KeyType::Range)]);
        assert_eq!(check_pk_sk_schema("t", &table), Ok(()));
        let table = described(&[("sk", KeyType::Range), ("pk", KeyType::Hash)]);
        assert_eq!(check_pk_sk_schema("t", &table), Ok(()));
    }

    #[test]
    fn another_schema_is_refused_naming_the_table() {
        for keys in [
            &[("pk", KeyType::Hash)][..],
            &[("id", KeyType::Hash), ("sk", KeyType::Range)][..],
            &[("pk", KeyType::Range), ("sk", KeyType::Hash)][..],
            &[][..],
        ] {
            let err = check_pk_sk_schema("records-test", &described(keys)).unwrap_err();
            assert!(err.contains("\"records-test\""), "{err}");
            assert!(err.contains("not pk (HASH) + sk (RANGE)"), "{err}");
        }
    }

    #[test]
    fn definitions_are_string_keys() {
        let definition = attribute_definition("pickup").unwrap();
        assert_eq!(definition.attribute_name(), "pickup");
        assert_eq!(definition.attribute_type(), &ScalarAttributeType::S);
        let element = key_schema_element("pk", KeyType::Hash).unwrap();
        assert_eq!(element.attribute_name(), "pk");
        assert_eq!(element.key_type(), &KeyType::Hash);
    }
}
