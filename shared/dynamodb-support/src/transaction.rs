//! `TransactWriteItems` with the retry every store needs: a transaction cancelled because
//! another one held the same items is tried again; any other cancellation is handed to the
//! caller's classifier, which knows what each item's failed condition means
//! ([`classify_cancellation`] reads the reasons for it).

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{CancellationReason, TransactWriteItem};
use backon::{ExponentialBuilder, Retryable};

use crate::sdk_failure;

/// Attempts of one transaction while it keeps meeting a conflicting one (25-50 ms, then
/// 50-100 ms apart); the SDK's own retries come on top, for throttling and network errors.
pub const TRANSACTION_ATTEMPTS: u32 = 3;

/// The pauses between those attempts: 25 ms doubling, each lengthened by a random part of up
/// to as much again, so transactions that met each other do not meet again in step.
const TRANSACTION_BACKOFF: ExponentialBuilder = ExponentialBuilder::new()
    .with_jitter()
    .with_min_delay(Duration::from_millis(25))
    .with_max_delay(Duration::from_millis(50))
    .with_max_times(TRANSACTION_ATTEMPTS as usize - 1);

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

/// Why one attempt did not write, and whether another may.
struct Failure {
    conflict: bool,
    message: String,
}

/// Writes `items` in one transaction. `Ok(None)`: written; `Ok(Some(t))`: cancelled and
/// classified `Settled(t)`; `Err`: why it failed, naming the table and each item's reason.
pub async fn transact_write<T>(
    client: &Client,
    table: &str,
    items: Vec<TransactWriteItem>,
    classify: impl Fn(&[CancellationReason]) -> Cancellation<T>,
) -> Result<Option<T>, String> {
    let (items, classify) = (&items, &classify);
    let mut attempts = 0;
    let attempt = || {
        attempts += 1;
        let attempt = attempts;
        async move {
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
                    return Err(Failure {
                        conflict: false,
                        message: sdk_failure("TransactWriteItems", table, &err),
                    });
                }
            };
            let conflict = match classify(reasons) {
                Cancellation::Settled(outcome) => return Ok(Some(outcome)),
                Cancellation::Conflict => true,
                Cancellation::Unexpected => false,
            };
            Err(Failure {
                conflict,
                message: format!(
                    "DynamoDB TransactWriteItems on table {table:?} was cancelled (attempt {attempt}): {}",
                    describe_reasons(reasons)
                ),
            })
        }
    };
    attempt
        .retry(TRANSACTION_BACKOFF)
        .when(|failure| failure.conflict)
        .await
        .map_err(|failure| failure.message)
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
    use backon::BackoffBuilder;

    #[test]
    fn conflicts_are_retried_twice_after_jittered_pauses() {
        for _ in 0..100 {
            let pauses: Vec<Duration> = TRANSACTION_BACKOFF.build().collect();
            assert_eq!(pauses.len(), TRANSACTION_ATTEMPTS as usize - 1);
            assert!(
                pauses[0] >= Duration::from_millis(25) && pauses[0] <= Duration::from_millis(50),
                "{pauses:?}"
            );
            assert!(
                pauses[1] >= Duration::from_millis(50) && pauses[1] <= Duration::from_millis(100),
                "{pauses:?}"
            );
        }
    }

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
