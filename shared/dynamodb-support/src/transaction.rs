//! `TransactWriteItems` with the retry every store needs: a transaction cancelled because
//! another one held the same items is tried again; any other cancellation is handed to the
//! caller's classifier, which knows what each item's failed condition means
//! ([`classify_cancellation`] reads the reasons for it).

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{CancellationReason, TransactWriteItem};

use crate::sdk_failure;

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
            _ => return Err(sdk_failure("TransactWriteItems", table, &err)),
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

/// What the reasons of a cancelled transaction of `items` items mean: `settle` reads the
/// items' reason codes in order ("None" for an item whose condition held) and names the
/// answer they give, if any; otherwise a conflict on any item is worth another attempt, and
/// anything else (or a number of reasons other than `items`) is unexpected.
pub fn classify_cancellation<T>(
    reasons: &[CancellationReason],
    items: usize,
    settle: impl FnOnce(&[&str]) -> Option<T>,
) -> Cancellation<T> {
    if reasons.len() != items {
        return Cancellation::Unexpected;
    }
    let codes: Vec<&str> = (0..items).map(|i| reason_code(reasons, i)).collect();
    if let Some(settled) = settle(&codes) {
        return Cancellation::Settled(settled);
    }
    if codes.contains(&"TransactionConflict") {
        Cancellation::Conflict
    } else {
        Cancellation::Unexpected
    }
}

/// Cancellation reasons with these codes, one per item, as DynamoDB reports them: for the
/// tests of each store's classifier.
pub fn cancellation_reasons(codes: &[&str]) -> Vec<CancellationReason> {
    codes
        .iter()
        .map(|code| CancellationReason::builder().code(*code).build())
        .collect()
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
    fn a_settled_answer_comes_before_a_conflict_on_another_item() {
        let settle = |codes: &[&str]| (codes[0] == "ConditionalCheckFailed").then_some("duplicate");
        let classify =
            |codes: &[(&str, Option<&str>)]| classify_cancellation(&reasons(codes), 2, settle);
        assert_eq!(
            classify(&[
                ("ConditionalCheckFailed", None),
                ("TransactionConflict", None)
            ]),
            Cancellation::Settled("duplicate")
        );
        assert_eq!(
            classify(&[("None", None), ("TransactionConflict", None)]),
            Cancellation::Conflict
        );
        assert_eq!(
            classify(&[("TransactionConflict", None), ("None", None)]),
            Cancellation::Conflict
        );
        assert_eq!(
            classify(&[("None", None), ("ValidationError", None)]),
            Cancellation::Unexpected
        );
    }

    #[test]
    fn reasons_for_another_number_of_items_are_unexpected() {
        let settle = |_: &[&str]| Some(());
        assert_eq!(
            classify_cancellation(&reasons(&[("ConditionalCheckFailed", None)]), 2, settle),
            Cancellation::Unexpected
        );
        assert_eq!(
            classify_cancellation(&[], 2, settle),
            Cancellation::Unexpected
        );
    }

    #[test]
    fn a_reason_without_a_code_reads_as_none_to_the_classifier() {
        let given = vec![
            CancellationReason::builder().build(),
            CancellationReason::builder()
                .code("ConditionalCheckFailed")
                .build(),
        ];
        let seen = classify_cancellation(&given, 2, |codes| Some(codes.join(",")));
        assert_eq!(
            seen,
            Cancellation::Settled("None,ConditionalCheckFailed".to_owned())
        );
    }

    #[test]
    fn reasons_are_built_one_per_code() {
        let built = cancellation_reasons(&["None", "ConditionalCheckFailed"]);
        assert_eq!(
            built,
            reasons(&[("None", None), ("ConditionalCheckFailed", None)])
        );
    }

    #[test]
    fn a_missing_reason_reads_as_none() {
        let given = reasons(&[("TransactionConflict", None)]);
        assert_eq!(reason_code(&given, 0), "TransactionConflict");
        assert_eq!(reason_code(&given, 1), "None");
    }
}
