//! The partial batch response of a stream worker (`FunctionResponseTypes:
//! ReportBatchItemFailures`): the records the stream must hand over again.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResponse {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<ItemFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFailure {
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

impl BatchResponse {
    /// The records of these sequence numbers, lowest first: Lambda retries a stream from the
    /// lowest one reported.
    pub fn of_sequences(sequences: impl IntoIterator<Item = String>) -> Self {
        let mut batch_item_failures: Vec<ItemFailure> = sequences
            .into_iter()
            .map(|item_identifier| ItemFailure { item_identifier })
            .collect();
        batch_item_failures.sort_by(|a, b| sequence_order(&a.item_identifier, &b.item_identifier));
        Self {
            batch_item_failures,
        }
    }
}

/// Sequence numbers are decimal strings of up to 40 digits: shorter is smaller.
fn sequence_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_are_reported_in_numeric_order() {
        let response =
            BatchResponse::of_sequences(["1000", "999", "1001", "20"].map(str::to_owned));
        let order: Vec<&str> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(order, ["20", "999", "1000", "1001"]);
    }
}
