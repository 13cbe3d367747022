//! Batch requests, which DynamoDB may answer only in part (it leaves keys or items
//! unprocessed when a partition is busy): what is left is sent again after each pause of a
//! backoff until none is left or the attempts run out.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::WriteRequest;
use backon::{BackoffBuilder, ExponentialBuilder, RetryableWithContext};
use unavailable::Unavailable;

use crate::sdk_error;

/// Why a batch request ended before DynamoDB had processed all of it.
pub enum Unfinished {
    /// The request failed: not retried.
    Failed(Unavailable),
    /// DynamoDB left this many keys or items unprocessed: retried after a pause.
    Left(usize),
}

impl Unfinished {
    pub fn is_left(&self) -> bool {
        matches!(self, Unfinished::Left(_))
    }

    /// The failure, or what was still left once the `backoff`'s attempts ran out, as an
    /// error of `dependency` naming the operation, the table and what was left (`items`,
    /// `keys`).
    pub fn into_unavailable(
        self,
        dependency: &'static str,
        backoff: ExponentialBuilder,
        request: (&str, &str),
        what: &str,
    ) -> Unavailable {
        let (operation, table) = request;
        match self {
            Unfinished::Failed(failure) => failure,
            Unfinished::Left(left) => Unavailable::new(
                dependency,
                format!(
                    "{operation} on table {table:?} left {left} {what} unprocessed after {} attempts",
                    attempts(backoff)
                ),
            ),
        }
    }
}

/// How many tries `backoff` allows: one, and one after each of its pauses.
pub fn attempts(backoff: ExponentialBuilder) -> usize {
    backoff.build().count() + 1
}

/// One `BatchWriteItem` of `batch` (at most 25 requests) on `table`, its unprocessed items
/// sent again after each pause of `backoff`; `dependency` names the store in its errors.
pub async fn batch_write_item(
    client: &Client,
    table: &str,
    batch: Vec<WriteRequest>,
    backoff: ExponentialBuilder,
    dependency: &'static str,
) -> Result<(), Unavailable> {
    let write = |pending: Vec<WriteRequest>| async move {
        let output = match client
            .batch_write_item()
            .request_items(table, pending)
            .send()
            .await
        {
            Ok(output) => output,
            Err(e) => {
                let failure = sdk_error(dependency, "BatchWriteItem", table, e);
                return (Vec::new(), Err(Unfinished::Failed(failure)));
            }
        };
        let left = output
            .unprocessed_items
            .and_then(|mut unprocessed| unprocessed.remove(table))
            .unwrap_or_default();
        let written = match left.len() {
            0 => Ok(()),
            n => Err(Unfinished::Left(n)),
        };
        (left, written)
    };
    let (_, written) = write
        .retry(backoff)
        .context(batch)
        .when(Unfinished::is_left)
        .await;
    written.map_err(|e| e.into_unavailable(dependency, backoff, ("BatchWriteItem", table), "items"))
}
