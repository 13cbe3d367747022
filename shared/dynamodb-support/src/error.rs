//! SDK failures as the stores report them.

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use unavailable::Unavailable;

/// An SDK failure as text naming the operation and table, with the whole cause chain (the
/// SDK's own `Display` says only "dispatch failure" or "service error"). Not generic: one
/// copy serves every operation's error type.
pub fn sdk_failure(operation: &str, table: &str, err: &dyn std::error::Error) -> String {
    format!(
        "DynamoDB {operation} on table {table:?} failed: {}",
        DisplayErrorContext(err)
    )
}

/// [`sdk_failure`] as an [`Unavailable`] of `dependency` (the store's name: "records",
/// "master data", ...).
#[inline]
pub fn sdk_error<E, R>(
    dependency: &'static str,
    operation: &str,
    table: &str,
    err: SdkError<E, R>,
) -> Unavailable
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    Unavailable::new(dependency, sdk_failure(operation, table, &err))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::error::ConnectorError;
    use aws_sdk_dynamodb::operation::get_item::GetItemError;

    #[test]
    fn the_error_names_the_store_operation_table_and_cause() {
        let err: SdkError<GetItemError, ()> = SdkError::dispatch_failure(ConnectorError::io(
            "connection refused by 127.0.0.1:1".into(),
        ));
        let unavailable = sdk_error("records", "GetItem", "records-test", err);
        assert_eq!(unavailable.dependency, "records");
        assert!(
            unavailable
                .reason
                .starts_with("DynamoDB GetItem on table \"records-test\" failed: "),
            "{}",
            unavailable.reason
        );
        assert!(
            unavailable
                .reason
                .contains("connection refused by 127.0.0.1:1"),
            "the cause chain is kept: {}",
            unavailable.reason
        );
    }
}
