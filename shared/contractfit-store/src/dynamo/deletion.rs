//! Deleting a document: the marker (`DELETED`) first, so that nothing new is stored for it,
//! then every other item of its partition, then the marker is completed.

use dynamodb_support::{Item, PK, SK, condition_failed, s, sdk_error};

use super::{DynamoContractFitStore, delete_request, timestamp};
use crate::{CONTRACTFIT_STORE, Deletion, Delivery, Stored, Unavailable};

pub(super) const DELETED_SK: &str = "DELETED";

impl DynamoContractFitStore {
    pub(super) async fn delete(&self, delivery: &Delivery) -> Result<Stored, Unavailable> {
        let pk = Self::partition_key(&delivery.document_id);
        let marker = self.get(&pk, DELETED_SK).await?;
        if marker.is_some_and(|m| m.contains_key("completed_at")) {
            return Ok(Stored::Duplicate);
        }
        // The marker first: from now on nothing new is stored for the document, so the
        // sweep below leaves nothing behind. `deleted_at` stays that of the first attempt.
        self.client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(&pk))
            .key(SK, s(DELETED_SK))
            .update_expression(
                "SET #deleted_at = if_not_exists(#deleted_at, :now), #kind = :kind, #document_id = :document_id",
            )
            .expression_attribute_names("#deleted_at", "deleted_at")
            .expression_attribute_names("#kind", "kind")
            .expression_attribute_names("#document_id", "document_id")
            .expression_attribute_values(":now", s(delivery.received_at.as_str()))
            .expression_attribute_values(":kind", s("contractfit_deletion"))
            .expression_attribute_values(":document_id", s(delivery.document_id.as_str()))
            .send()
            .await
            .map_err(|e| sdk_error(CONTRACTFIT_STORE, "UpdateItem", &self.table, e))?;

        let doomed = self
            .partition_sort_keys(&pk)
            .await?
            .into_iter()
            .filter(|sk| sk != DELETED_SK)
            .map(|sk| delete_request(&pk, &sk))
            .collect::<Result<Vec<_>, _>>()?;
        self.batch_write(doomed).await?;

        let completed = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(&pk))
            .key(SK, s(DELETED_SK))
            .update_expression("SET #completed_at = :now")
            .condition_expression("attribute_not_exists(#completed_at)")
            .expression_attribute_names("#completed_at", "completed_at")
            .expression_attribute_values(":now", s(delivery.received_at.as_str()))
            .send()
            .await;
        match completed {
            Ok(_) => Ok(Stored::Stored),
            // Another delivery of the delete finished first.
            Err(err) if condition_failed(&err) => Ok(Stored::Duplicate),
            Err(err) => Err(sdk_error(CONTRACTFIT_STORE, "UpdateItem", &self.table, err)),
        }
    }
}

/// The deletion the marker item records.
pub(super) fn deletion_from_item(item: &Item) -> Result<Deletion, Unavailable> {
    Ok(Deletion {
        deleted_at: timestamp(item, "deleted_at")?,
        complete: item.contains_key("completed_at"),
    })
}
