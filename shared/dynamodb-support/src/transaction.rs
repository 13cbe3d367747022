//! `TransactWriteItems` with the retry every store needs: a transaction cancelled because
//! another one held the same items is tried again; any other cancellation is handed to the
//! caller's classifier, which knows what each item's failed condition means.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{CancellationReason, TransactWriteItem};

/// Attempts of one transaction while it keeps meeting a conflicting one (50 ms, then 100 ms
/// apart); the SDK's own retries come on top, for throttling and network errors.
pub const TRANSACTION_ATTEMPTS: u32 = 3;

/// What the per-item reasons of a cancelled transaction mean to its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation<T> {
    /// Another transaction on the same items was in progress: worth another attempt.
    Conflict,
    /// An answer, not a failure: a duplicate delivery, a newer item already there.
    Settled(T),
    /// Throttling, validation, size limits: an error.
    Unexpected,
}

/// Writes `items` in one transaction. `Ok(None)`: written; `Ok(Some(t))`: cancelled and
/// classified `Settled(t)`; `Err`: why it failed, naming the table and each item's reason.
pub async fn transact_write<T>(
    client: &Client,
    table: &str,
    items: Vec<TransactWriteItem>,
    classify: impl Fn(&[CancellationReason]) -> Cancellation<T>,
) -> Result<Option<T>, String> {
    let mut attempt = 1;
    loop {
        let result = client
            .transact_write_items()
            .set_transact_items(Some(items.clone()))
            .send()
            .await;
        let err = match result {
            Ok(_) => return Ok(None),
            Err(err) => err,
        };
        let reasons = match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                cancelled.cancellation_reasons()
            }
            _ => {
                return Err(format!(
                    "DynamoDB TransactWriteItems on table {table:?} failed: {}",
                    DisplayErrorContext(&err)
                ));
            }
        };
        match classify(reasons) {
            Cancellation::Settled(outcome) => return Ok(Some(outcome)),
            Cancellation::Conflict if attempt < TRANSACTION_ATTEMPTS => {
                tokio::time::sleep(Duration::from_millis(25 << attempt)).await;
                attempt += 1;
            }
            Cancellation::Conflict | Cancellation::Unexpected => {
                return Err(format!(
                    "DynamoDB TransactWriteItems on table {table:?} was cancelled (attempt {attempt}): {}",
                    describe_reasons(reasons)
                ));
            }
        }
    }
}

/// The reason code of item `index` ("None" when it had none, or the list is short).
pub fn reason_code(reasons: &[CancellationReason], index: usize) -> &str {
    reasons.get(index).and_then(|r| r.code()).unwrap_or("None")
}

fn describe_reasons(reasons: &[CancellationReason]) -> String {
    if reasons.is_empty() {
        return "no cancellation reasons given".to_owned();
    }
    reasons
        .iter()
        .map(|r| match r.message() {
            Some(message) => format!("{} ({message})", r.code().unwrap_or("None")),
            None => r.code().unwrap_or("None").to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(codes: &[(&str, Option<&str>)]) -> Vec<CancellationReason> {
        codes
            .iter()
            .map(|(code, message)| {
                CancellationReason::builder()
                    .code(*code)
                    .set_message(message.map(str::to_owned))
                    .build()
            })
            .collect()
    }

    #[test]
    fn reasons_are_described_item_by_item() {
        let described = describe_reasons(&reasons(&[
            ("None", None),
            (
                "ConditionalCheckFailed",
                Some("The conditional request failed"),
            ),
        ]));
        assert_eq!(
            described,
            "None, ConditionalCheckFailed (The conditional request failed)"
        );
        assert_eq!(describe_reasons(&[]), "no cancellation reasons given");
    }

    #[test]
    fn a_missing_reason_reads_as_none() {
        let given = reasons(&[("TransactionConflict", None)]);
        assert_eq!(reason_code(&given, 0), "TransactionConflict");
        assert_eq!(reason_code(&given, 1), "None");
    }
}
