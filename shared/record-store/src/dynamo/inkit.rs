//! Inkit events and documents in the records table (see the crate documentation).

use crate::records_unavailable;
use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, CancellationReason, Put, TransactWriteItem, Update};
use dynamodb_support::{classify_cancellation, condition_failed, sdk_error, transact_write};
use webhook_model::inkit::InkitEventType;

use super::{DynamoRecordStore, EXPIRES_AT, Item, PK, SK, attributes, n, s, timestamp};
use crate::inkit::no_document;
use crate::{
    InkitDocumentDetails, InkitDocumentRecord, InkitEvent, InkitRecordStore, RECORDS, StoreFuture,
    Timestamp, Unavailable, Written,
};

const DOCUMENT_SK: &str = "DOCUMENT";
const EVENT_SK_PREFIX: &str = "EVENT#";

/// The document attributes the Inkit API fills.
const DETAIL_ATTRIBUTES: [&str; 6] = [
    "id",
    "name",
    "status",
    "render_id",
    "folder_id",
    "created_at",
];

fn event_sk(event_type: &InkitEventType) -> String {
    format!("{EVENT_SK_PREFIX}{event_type}")
}

fn boolean(value: bool) -> AttributeValue {
    AttributeValue::Bool(value)
}

fn optional_timestamp(item: &Item, name: &str) -> Result<Option<Timestamp>, Unavailable> {
    attributes(item)
        .text(name)?
        .map(|raw| Timestamp::parse(&raw).map_err(|e| records_unavailable(e.to_string())))
        .transpose()
}

/// An update expression under construction: every attribute through a `#name`, every value
/// through a `:value`, since `name` and `status` are DynamoDB reserved words.
#[derive(Default)]
struct Expression {
    set: Vec<String>,
    remove: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expression {
    fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#{attribute}");
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    fn value(&mut self, attribute: &str, value: AttributeValue) -> String {
        let placeholder = format!(":{attribute}");
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    fn set(&mut self, attribute: &str, value: AttributeValue) {
        let (name, value) = (self.name(attribute), self.value(attribute, value));
        self.set.push(format!("{name} = {value}"));
    }

    /// Sets the attribute only where it is absent (a first event wins).
    fn set_once(&mut self, attribute: &str, value: AttributeValue) {
        let (name, value) = (self.name(attribute), self.value(attribute, value));
        self.set
            .push(format!("{name} = if_not_exists({name}, {value})"));
    }

    fn remove(&mut self, attribute: &str) {
        let name = self.name(attribute);
        self.remove.push(name);
    }

    fn text(&self) -> String {
        let mut text = format!("SET {}", self.set.join(", "));
        if !self.remove.is_empty() {
            text.push_str(&format!(" REMOVE {}", self.remove.join(", ")));
        }
        text
    }
}

impl DynamoRecordStore {
    /// The events recorded for `resource_id`, in key order (strongly consistent, every page).
    pub async fn inkit_events(&self, resource_id: &str) -> Result<Vec<InkitEvent>, Unavailable> {
        self.prefixed_items(&InkitEvent::key_of_resource(resource_id), EVENT_SK_PREFIX)
            .await?
            .iter()
            .map(|item| {
                Ok(InkitEvent {
                    resource_id: attributes(item).required_text("resource_id")?,
                    event_type: InkitEventType::from_code(
                        &attributes(item).required_text("event_type")?,
                    ),
                    received_at: timestamp(item, "received_at")?,
                })
            })
            .collect()
    }

    fn inkit_event_item(&self, event: &InkitEvent) -> Item {
        let mut item = HashMap::with_capacity(7);
        item.insert(
            PK.to_owned(),
            s(InkitEvent::key_of_resource(&event.resource_id)),
        );
        item.insert(SK.to_owned(), s(event_sk(&event.event_type)));
        item.insert("kind".to_owned(), s("inkit_event"));
        item.insert("resource_id".to_owned(), s(&event.resource_id));
        item.insert("event_type".to_owned(), s(event.event_type.as_str()));
        item.insert("received_at".to_owned(), s(event.received_at.as_str()));
        item.insert(
            EXPIRES_AT.to_owned(),
            n(self.expires_at(&event.received_at)),
        );
        item
    }

    /// What an event does to its resource's document item.
    fn document_update_for(&self, event: &InkitEvent) -> Expression {
        let mut update = Expression::default();
        update.set("kind", s("inkit_document"));
        update.set("resource_id", s(&event.resource_id));
        update.set("last_event", s(event.event_type.as_str()));
        update.set("last_event_at", s(event.received_at.as_str()));
        update.set(EXPIRES_AT, n(self.expires_at(&event.received_at)));
        update.set_once("details_fetched", boolean(false));
        match event.event_type {
            InkitEventType::DocumentDeleted => {
                update.set("deleted", boolean(true));
                update.set_once("deleted_at", s(event.received_at.as_str()));
            }
            InkitEventType::DocumentCreateFailed => {
                update.set_once("deleted", boolean(false));
                update.set_once("create_failed_at", s(event.received_at.as_str()));
            }
            // A late create event never undoes a deletion.
            _ => update.set_once("deleted", boolean(false)),
        }
        update
    }

    async fn record_event(&self, event: &InkitEvent) -> Result<Written, Unavailable> {
        let pk = InkitEvent::key_of_resource(&event.resource_id);
        let event_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(self.inkit_event_item(event)))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(|e| records_unavailable(format!("Inkit event put: {e}")))?;
        let expression = self.document_update_for(event);
        let document_update = Update::builder()
            .table_name(&self.table)
            .key(PK, s(&pk))
            .key(SK, s(DOCUMENT_SK))
            .update_expression(expression.text())
            .set_expression_attribute_names(Some(expression.names))
            .set_expression_attribute_values(Some(expression.values))
            .build()
            .map_err(|e| records_unavailable(format!("Inkit document update: {e}")))?;
        let items = vec![
            TransactWriteItem::builder().put(event_put).build(),
            TransactWriteItem::builder().update(document_update).build(),
        ];
        // The event item's condition failing means this event was recorded before.
        let classify = |reasons: &[CancellationReason]| {
            classify_cancellation(reasons, 2, |codes| {
                (codes[0] == "ConditionalCheckFailed").then_some(())
            })
        };
        Ok(
            match transact_write(&self.client, &self.table, items, classify)
                .await
                .map_err(records_unavailable)?
            {
                None => Written::Inserted,
                Some(()) => Written::AlreadyPresent,
            },
        )
    }

    async fn document(
        &self,
        resource_id: &str,
    ) -> Result<Option<InkitDocumentRecord>, Unavailable> {
        self.get(&InkitEvent::key_of_resource(resource_id), DOCUMENT_SK)
            .await?
            .as_ref()
            .map(document_from_item)
            .transpose()
    }

    async fn store_details(
        &self,
        resource_id: &str,
        details: &InkitDocumentDetails,
        fetched_at: &Timestamp,
    ) -> Result<(), Unavailable> {
        let mut update = Expression::default();
        update.set("kind", s("inkit_document"));
        update.set("resource_id", s(resource_id));
        let values = [
            &Some(details.id.clone()),
            &details.name,
            &details.status,
            &details.render_id,
            &details.folder_id,
            &details.created_at,
        ];
        for (attribute, value) in DETAIL_ATTRIBUTES.iter().zip(values) {
            match value {
                Some(value) => update.set(attribute, s(value)),
                // What the API no longer says is not kept from an earlier answer.
                None => update.remove(attribute),
            }
        }
        update.set("details_fetched", boolean(true));
        update.set("details_fetched_at", s(fetched_at.as_str()));
        update.remove("details_unavailable");
        let pk = update.name(PK);
        let condition = format!("attribute_exists({pk})");
        match self.update_document(resource_id, update, condition).await {
            Ok(_) => Ok(()),
            Err(err) if condition_failed(&err) => Err(no_document(resource_id)),
            Err(err) => Err(sdk_error(RECORDS, "UpdateItem", &self.table, err)),
        }
    }

    /// `update` applied to the document item of `resource_id` when `condition` holds.
    async fn update_document(
        &self,
        resource_id: &str,
        update: Expression,
        condition: String,
    ) -> Result<(), SdkError<UpdateItemError>> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(InkitEvent::key_of_resource(resource_id)))
            .key(SK, s(DOCUMENT_SK))
            .update_expression(update.text())
            .condition_expression(condition)
            .set_expression_attribute_names(Some(update.names))
            .set_expression_attribute_values(Some(update.values))
            .send()
            .await
            .map(drop)
    }

    async fn mark_unavailable(
        &self,
        resource_id: &str,
        reason: &str,
        at: &Timestamp,
    ) -> Result<(), Unavailable> {
        let mut update = Expression::default();
        update.set("details_unavailable", s(reason));
        update.set("details_checked_at", s(at.as_str()));
        let pk = update.name(PK);
        let fetched = update.name("details_fetched");
        let not_fetched = update.value("not_fetched", boolean(false));
        let condition = format!("attribute_exists({pk}) AND {fetched} = {not_fetched}");
        match self.update_document(resource_id, update, condition).await {
            Ok(_) => Ok(()),
            // Another delivery fetched the details meanwhile (they stand), or there is no
            // document item to mark.
            Err(err) if condition_failed(&err) => Ok(()),
            Err(err) => Err(sdk_error(RECORDS, "UpdateItem", &self.table, err)),
        }
    }
}

impl InkitRecordStore for DynamoRecordStore {
    fn record_inkit_event<'a>(&'a self, event: &'a InkitEvent) -> StoreFuture<'a, Written> {
        Box::pin(self.record_event(event))
    }

    fn inkit_document<'a>(
        &'a self,
        resource_id: &'a str,
    ) -> StoreFuture<'a, Option<InkitDocumentRecord>> {
        Box::pin(self.document(resource_id))
    }

    fn record_inkit_document_details<'a>(
        &'a self,
        resource_id: &'a str,
        details: &'a InkitDocumentDetails,
        fetched_at: &'a Timestamp,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.store_details(resource_id, details, fetched_at))
    }

    fn mark_inkit_details_unavailable<'a>(
        &'a self,
        resource_id: &'a str,
        reason: &'a str,
        at: &'a Timestamp,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.mark_unavailable(resource_id, reason, at))
    }
}

fn document_from_item(item: &Item) -> Result<InkitDocumentRecord, Unavailable> {
    let details = match attributes(item).text("id")? {
        Some(id) => Some(InkitDocumentDetails {
            id,
            name: attributes(item).text("name")?,
            status: attributes(item).text("status")?,
            render_id: attributes(item).text("render_id")?,
            folder_id: attributes(item).text("folder_id")?,
            created_at: attributes(item).text("created_at")?,
        }),
        None => None,
    };
    Ok(InkitDocumentRecord {
        resource_id: attributes(item).required_text("resource_id")?,
        last_event: InkitEventType::from_code(&attributes(item).required_text("last_event")?),
        last_event_at: timestamp(item, "last_event_at")?,
        details_fetched: attributes(item).flag("details_fetched")?,
        details,
        details_fetched_at: optional_timestamp(item, "details_fetched_at")?,
        details_unavailable: attributes(item).text("details_unavailable")?,
        create_failed_at: optional_timestamp(item, "create_failed_at")?,
        deleted: attributes(item).flag("deleted")?,
        deleted_at: optional_timestamp(item, "deleted_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event_type: InkitEventType) -> InkitEvent {
        InkitEvent {
            resource_id: "doc_2N0X2g4f3b1JJU75fqzDZs".to_owned(),
            event_type,
            received_at: Timestamp::parse("2026-11-20T09:52:44.118204Z").unwrap(),
        }
    }

    #[tokio::test]
    async fn events_are_keyed_by_resource_and_type() {
        let client = dynamodb_support::connect(Some("http://127.0.0.1:1")).await;
        let store = DynamoRecordStore::new(client, "records");
        let item = store.inkit_event_item(&event(InkitEventType::DocumentCreateFinished));
        assert_eq!(item[PK], s("INKIT#doc_2N0X2g4f3b1JJU75fqzDZs"));
        assert_eq!(item[SK], s("EVENT#DOCUMENT_CREATE_FINISHED"));
        assert_eq!(item["kind"], s("inkit_event"));
        assert!(item.contains_key(EXPIRES_AT));
    }

    #[tokio::test]
    async fn a_deletion_sets_the_marker_and_other_events_never_clear_it() {
        let client = dynamodb_support::connect(Some("http://127.0.0.1:1")).await;
        let store = DynamoRecordStore::new(client, "records");
        let deleted = store
            .document_update_for(&event(InkitEventType::DocumentDeleted))
            .text();
        assert!(deleted.contains("#deleted = :deleted"), "{deleted}");
        assert!(
            deleted.contains("#deleted_at = if_not_exists(#deleted_at, :deleted_at)"),
            "{deleted}"
        );
        let finished = store
            .document_update_for(&event(InkitEventType::DocumentCreateFinished))
            .text();
        assert!(
            finished.contains("#deleted = if_not_exists(#deleted, :deleted)"),
            "{finished}"
        );
        assert!(!finished.contains("deleted_at"), "{finished}");
        let failed = store
            .document_update_for(&event(InkitEventType::DocumentCreateFailed))
            .text();
        assert!(failed.contains("#create_failed_at"), "{failed}");
    }
}
