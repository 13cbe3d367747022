//! Delivery items: one per delivery (`DELIVERY#<key>`), written in the same transaction as
//! what the delivery stores and only if absent, so each delivery is stored once; the same
//! transaction checks the deletion marker.

use aws_sdk_dynamodb::types::{CancellationReason, ConditionCheck, Put, TransactWriteItem};
use dynamodb_support::{Cancellation, Item, PK, SK, classify_cancellation, s, transact_write};

use super::deletion::DELETED_SK;
use super::parts::part_puts;
use super::{DynamoContractFitStore, base_item, timestamp};
use crate::{Delivery, Stored, Timestamp, Unavailable, contractfit_unavailable};

pub(super) const DELIVERY_PREFIX: &str = "DELIVERY#";

impl DynamoContractFitStore {
    /// Whether the delivery is a duplicate or comes after the deletion, read before
    /// anything is written.
    pub(super) async fn precheck(
        &self,
        delivery: &Delivery,
        document_time: Option<&Timestamp>,
    ) -> Result<Option<Stored>, Unavailable> {
        let pk = Self::partition_key(&delivery.document_id);
        let delivery_key = delivery_sk(delivery);
        let (marker, seen) =
            tokio::try_join!(self.get(&pk, DELETED_SK), self.get(&pk, &delivery_key),)?;
        if seen.is_some() {
            return Ok(Some(Stored::Duplicate));
        }
        if let Some(marker) = marker {
            let deleted_at = timestamp(&marker, "deleted_at")?;
            if document_time.is_none_or(|time| *time <= deleted_at) {
                return Ok(Some(Stored::AfterDeletion));
            }
        }
        Ok(None)
    }

    /// Writes `parts` (items of `owner`), then in one transaction checks the deletion
    /// marker, writes the delivery item unless it exists, and writes `item`.
    pub(super) async fn write_once(
        &self,
        delivery: &Delivery,
        document_time: Option<&Timestamp>,
        item: Item,
        owner: &str,
        parts: Vec<Vec<u8>>,
    ) -> Result<Stored, Unavailable> {
        let pk = Self::partition_key(&delivery.document_id);
        if !parts.is_empty() {
            let puts = part_puts(&pk, owner, &delivery.document_id, parts)?;
            self.batch_write(puts).await?;
        }

        let mut check = ConditionCheck::builder()
            .table_name(&self.table)
            .key(PK, s(&pk))
            .key(SK, s(DELETED_SK))
            .expression_attribute_names("#pk", PK);
        check = match document_time {
            None => check.condition_expression("attribute_not_exists(#pk)"),
            Some(time) => check
                .condition_expression("attribute_not_exists(#pk) OR #deleted_at < :document_time")
                .expression_attribute_names("#deleted_at", "deleted_at")
                .expression_attribute_values(":document_time", s(time.as_str())),
        };
        let check = check
            .build()
            .map_err(|e| contractfit_unavailable(format!("deletion check: {e}")))?;
        let delivery_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(delivery_item(delivery)))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(|e| contractfit_unavailable(format!("delivery put: {e}")))?;
        let item_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .build()
            .map_err(|e| contractfit_unavailable(format!("item put: {e}")))?;

        let items = vec![
            TransactWriteItem::builder().condition_check(check).build(),
            TransactWriteItem::builder().put(delivery_put).build(),
            TransactWriteItem::builder().put(item_put).build(),
        ];
        Ok(
            match transact_write(
                &self.client,
                &self.table,
                items,
                classify_write_cancellation,
            )
            .await
            .map_err(contractfit_unavailable)?
            {
                None => Stored::Stored,
                Some(WriteSettled::Duplicate) => Stored::Duplicate,
                Some(WriteSettled::Deleted) => Stored::AfterDeletion,
            },
        )
    }
}

/// What a cancelled write means, from its per-item reasons (deletion check, delivery item,
/// the item itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WriteSettled {
    /// The delivery item exists: this delivery was stored before.
    Duplicate,
    /// The deletion marker's condition failed: the document is deleted.
    Deleted,
}

fn classify_write_cancellation(reasons: &[CancellationReason]) -> Cancellation<WriteSettled> {
    classify_cancellation(reasons, 3, |codes| match codes {
        [_, "ConditionalCheckFailed", _] => Some(WriteSettled::Duplicate),
        ["ConditionalCheckFailed", _, _] => Some(WriteSettled::Deleted),
        _ => None,
    })
}

pub(super) fn delivery_sk(delivery: &Delivery) -> String {
    format!("{DELIVERY_PREFIX}{}", delivery.key())
}

pub(super) fn delivery_item(delivery: &Delivery) -> Item {
    let mut item = base_item(delivery, &delivery_sk(delivery), "contractfit_delivery");
    item.insert("event".to_owned(), s(delivery.event.as_str()));
    item.insert("data_sha256".to_owned(), s(&delivery.data_sha256));
    item
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynamodb_support::cancellation_reasons;

    #[test]
    fn cancellation_reasons_tell_duplicates_from_deleted_documents() {
        use Cancellation::{Conflict, Settled, Unexpected};
        use WriteSettled::{Deleted, Duplicate};
        for (codes, expected) in [
            (
                &["None", "ConditionalCheckFailed", "None"][..],
                Settled(Duplicate),
            ),
            (
                &["ConditionalCheckFailed", "ConditionalCheckFailed", "None"][..],
                Settled(Duplicate),
            ),
            (
                &["ConditionalCheckFailed", "None", "None"][..],
                Settled(Deleted),
            ),
            (&["None", "None", "TransactionConflict"][..], Conflict),
            (&["TransactionConflict", "None", "None"][..], Conflict),
            (&["None", "None", "ValidationError"][..], Unexpected),
            (&["None", "None"][..], Unexpected),
            (&[][..], Unexpected),
        ] {
            assert_eq!(
                classify_write_cancellation(&cancellation_reasons(codes)),
                expected,
                "{codes:?}"
            );
        }
    }
}
