//! Requests every store makes the same way.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use unavailable::Unavailable;

use crate::{Item, PK, SK, s, sdk_error};

/// One `GetItem` of the item `pk` + `sk` of `table` (strongly consistent when `consistent`),
/// failing as an [`Unavailable`] of `dependency`.
pub async fn get_item(
    client: &Client,
    dependency: &'static str,
    table: &str,
    pk: &str,
    sk: &str,
    consistent: bool,
) -> Result<Option<Item>, Unavailable> {
    let output = client
        .get_item()
        .table_name(table)
        .key(PK, s(pk))
        .key(SK, s(sk))
        .set_consistent_read(consistent.then_some(true))
        .send()
        .await
        .map_err(|e| sdk_error(dependency, "GetItem", table, e))?;
    Ok(output.item)
}

/// Whether a conditional write (`PutItem`, `UpdateItem`, `DeleteItem`) failed only its
/// condition: an answer (already there, not yours to change), not a failure.
pub fn condition_failed<E, R>(error: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    error
        .as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "ConditionalCheckFailedException")
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_dynamodb::operation::put_item::PutItemError;
    use aws_sdk_dynamodb::types::error::ConditionalCheckFailedException;

    fn service_error(code: &str) -> SdkError<PutItemError, ()> {
        let meta = ErrorMetadata::builder().code(code).build();
        let err = if code == "ConditionalCheckFailedException" {
            PutItemError::ConditionalCheckFailedException(
                ConditionalCheckFailedException::builder()
                    .meta(meta)
                    .build(),
            )
        } else {
            PutItemError::generic(meta)
        };
        SdkError::service_error(err, ())
    }

    #[test]
    fn only_a_failed_condition_is_one() {
        assert!(condition_failed(&service_error(
            "ConditionalCheckFailedException"
        )));
        assert!(!condition_failed(&service_error(
            "ProvisionedThroughputExceededException"
        )));
        assert!(!condition_failed(&service_error(
            "TransactionConflictException"
        )));
        let dispatch: SdkError<PutItemError, ()> =
            SdkError::dispatch_failure(ConnectorError::io("connection refused".into()));
        assert!(!condition_failed(&dispatch));
    }
}
