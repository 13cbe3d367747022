//! The records table on DynamoDB (see the crate documentation for its design).

mod inkit;

use crate::records_unavailable;
use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, CancellationReason, Put, TransactWriteItem};
use dynamodb_store::{Cancellation, reason_code, transact_write};

use crate::{
    Amount, EXPORT_READY, EmailRecord, ExportRecord, RecordStore, StatusChange, StoreFuture,
    Timestamp, Unavailable, Written,
};

pub(crate) const PK: &str = "pk";
pub(crate) const SK: &str = "sk";
pub(crate) const PICKUP: &str = "pickup";
pub(crate) const EXPORTED_AT: &str = "exported_at";
pub(crate) const EXPIRES_AT: &str = "expires_at";

const EXPORT_SK: &str = "EXPORT";
const EMAIL_SK: &str = "EMAIL";
const LATEST_SK: &str = "LATEST";
const STATUS_SK_PREFIX: &str = "STATUS#";

/// How long status and email items are kept after the change or email they record
/// (DynamoDB's TTL deletes them within a few days after that).
pub const DEFAULT_HISTORY_RETENTION: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// [`RecordStore`] on the records table.
#[derive(Debug, Clone)]
pub struct DynamoRecordStore {
    client: Client,
    table: String,
    history_retention: Duration,
}

impl DynamoRecordStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            history_retention: DEFAULT_HISTORY_RETENTION,
        }
    }

    /// Keeps status and email items for `retention` after their change or email instead of
    /// [`DEFAULT_HISTORY_RETENTION`].
    pub fn with_history_retention(mut self, retention: Duration) -> Self {
        self.history_retention = retention;
        self
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// The export record of an annotation (strongly consistent read).
    pub async fn export(&self, annotation_id: u64) -> Result<Option<ExportRecord>, Unavailable> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, s(export_pk(annotation_id)))
            .key(SK, s(EXPORT_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", &self.table, e))?;
        output.item().map(export_from_item).transpose()
    }

    /// The recorded email at `email_url`, keyed as [`EmailRecord::key_of_url`] (strongly
    /// consistent read).
    pub async fn email(&self, email_url: &str) -> Result<Option<EmailRecord>, Unavailable> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, s(EmailRecord::key_of_url(email_url)))
            .key(SK, s(EMAIL_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", &self.table, e))?;
        output.item().map(email_from_item).transpose()
    }

    /// An annotation's latest status change (strongly consistent read).
    pub async fn latest_status(
        &self,
        annotation_id: u64,
    ) -> Result<Option<StatusChange>, Unavailable> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, s(annotation_pk(annotation_id)))
            .key(SK, s(LATEST_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", &self.table, e))?;
        output.item().map(status_from_item).transpose()
    }

    /// An annotation's status changes, oldest first (strongly consistent, every page).
    pub async fn status_history(
        &self,
        annotation_id: u64,
    ) -> Result<Vec<StatusChange>, Unavailable> {
        let mut items = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(annotation_pk(annotation_id)))
            .expression_attribute_values(":prefix", s(STATUS_SK_PREFIX))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send();
        let mut changes = Vec::new();
        while let Some(item) = items
            .try_next()
            .await
            .map_err(|e| sdk_error("Query", &self.table, e))?
        {
            changes.push(status_from_item(&item)?);
        }
        // The sort key names the change, not its time.
        changes.sort_by(|a, b| (&a.changed_at, &a.request_id).cmp(&(&b.changed_at, &b.request_id)));
        Ok(changes)
    }

    async fn put_export(&self, record: &ExportRecord) -> Result<Written, Unavailable> {
        self.put_once(export_item(record)).await
    }

    async fn put_email(&self, email: &EmailRecord) -> Result<Written, Unavailable> {
        let mut item = email_item(email);
        item.insert(
            EXPIRES_AT.to_owned(),
            n(self.expires_at(&email.received_at)),
        );
        self.put_once(item).await
    }

    /// One `PutItem` of an item unless its key exists.
    async fn put_once(
        &self,
        item: HashMap<String, AttributeValue>,
    ) -> Result<Written, Unavailable> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Written::Inserted),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(Written::AlreadyPresent)
            }
            Err(err) => Err(sdk_error("PutItem", &self.table, err)),
        }
    }

    async fn record_change(&self, change: &StatusChange) -> Result<Written, Unavailable> {
        let history = self.history_item(change);
        let history_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(history.clone()))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(|e| records_unavailable(format!("status history put: {e}")))?;
        let latest_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(self.latest_item(change)))
            .condition_expression("attribute_not_exists(#pk) OR #changed_at <= :changed_at")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#changed_at", "changed_at")
            .expression_attribute_values(":changed_at", s(change.changed_at.as_str()))
            .build()
            .map_err(|e| records_unavailable(format!("latest status put: {e}")))?;
        let items = vec![
            TransactWriteItem::builder().put(history_put).build(),
            TransactWriteItem::builder().put(latest_put).build(),
        ];
        match transact_write(&self.client, &self.table, items, classify_cancellation)
            .await
            .map_err(records_unavailable)?
        {
            None => Ok(Written::Inserted),
            Some(StatusSettled::Duplicate) => Ok(Written::AlreadyPresent),
            Some(StatusSettled::NewerLatest) => self.put_history_alone(history).await,
        }
    }

    /// The history item of a change older than the recorded latest status. Already present
    /// means a redelivery of the same event got there between the two steps.
    async fn put_history_alone(
        &self,
        history: HashMap<String, AttributeValue>,
    ) -> Result<Written, Unavailable> {
        Ok(match self.put_once(history).await? {
            Written::Inserted => Written::HistoryOnly,
            other => other,
        })
    }

    fn expires_at(&self, at: &Timestamp) -> i64 {
        let retention = i64::try_from(self.history_retention.as_secs()).unwrap_or(i64::MAX);
        at.epoch_seconds().saturating_add(retention)
    }

    fn status_attributes(
        &self,
        change: &StatusChange,
        kind: &str,
    ) -> HashMap<String, AttributeValue> {
        let mut item = HashMap::with_capacity(10);
        item.insert(PK.to_owned(), s(annotation_pk(change.annotation_id)));
        item.insert("kind".to_owned(), s(kind));
        item.insert("annotation_id".to_owned(), n(change.annotation_id));
        if let Some(queue) = &change.queue {
            item.insert("queue".to_owned(), s(queue));
        }
        if let Some(previous) = &change.previous_status {
            item.insert("previous_status".to_owned(), s(previous));
        }
        item.insert("status".to_owned(), s(&change.status));
        item.insert("changed_at".to_owned(), s(change.changed_at.as_str()));
        item.insert("request_id".to_owned(), s(&change.request_id));
        item.insert("transition".to_owned(), s(&change.transition));
        item.insert(
            EXPIRES_AT.to_owned(),
            n(self.expires_at(&change.changed_at)),
        );
        item
    }

    fn history_item(&self, change: &StatusChange) -> HashMap<String, AttributeValue> {
        let mut item = self.status_attributes(change, "status_change");
        item.insert(SK.to_owned(), s(history_sk(change)));
        item
    }

    fn latest_item(&self, change: &StatusChange) -> HashMap<String, AttributeValue> {
        let mut item = self.status_attributes(change, "latest_status");
        item.insert(SK.to_owned(), s(LATEST_SK));
        item
    }
}

impl RecordStore for DynamoRecordStore {
    fn put_export_record<'a>(&'a self, record: &'a ExportRecord) -> StoreFuture<'a, Written> {
        Box::pin(self.put_export(record))
    }

    fn record_status_change<'a>(&'a self, change: &'a StatusChange) -> StoreFuture<'a, Written> {
        Box::pin(self.record_change(change))
    }

    fn record_email<'a>(&'a self, email: &'a EmailRecord) -> StoreFuture<'a, Written> {
        Box::pin(self.put_email(email))
    }
}

/// What a cancelled status transaction means (history item first, latest item second).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusSettled {
    /// The history item exists: this delivery was recorded before.
    Duplicate,
    /// Only the latest item's condition failed: a newer status is recorded.
    NewerLatest,
}

fn classify_cancellation(reasons: &[CancellationReason]) -> Cancellation<StatusSettled> {
    if reasons.len() != 2 {
        return Cancellation::Unexpected;
    }
    match (reason_code(reasons, 0), reason_code(reasons, 1)) {
        ("ConditionalCheckFailed", _) => Cancellation::Settled(StatusSettled::Duplicate),
        ("None", "ConditionalCheckFailed") => Cancellation::Settled(StatusSettled::NewerLatest),
        (history, latest)
            if history == "TransactionConflict" || latest == "TransactionConflict" =>
        {
            Cancellation::Conflict
        }
        _ => Cancellation::Unexpected,
    }
}

/// An SDK failure naming the operation and table, with the whole cause chain (the SDK's own
/// `Display` says only "dispatch failure" or "service error").
pub(crate) fn sdk_error<E, R>(operation: &str, table: &str, err: SdkError<E, R>) -> Unavailable
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    records_unavailable(format!(
        "DynamoDB {operation} on table {table:?} failed: {}",
        DisplayErrorContext(&err)
    ))
}

fn export_pk(annotation_id: u64) -> String {
    format!("EXPORT#{annotation_id}")
}

fn annotation_pk(annotation_id: u64) -> String {
    format!("ANNOTATION#{annotation_id}")
}

fn history_sk(change: &StatusChange) -> String {
    format!("{STATUS_SK_PREFIX}{}", change.transition)
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// Numbers DynamoDB stores exactly as Rust prints them: finite and short enough for its 38
/// digits (Rust prints large `f64`s digit by digit, never with an exponent).
fn storable(value: f64) -> Option<f64> {
    (value.is_finite() && value.abs() < 1e18).then_some(value)
}

fn export_item(record: &ExportRecord) -> HashMap<String, AttributeValue> {
    let mut item = HashMap::with_capacity(20);
    item.insert(PK.to_owned(), s(export_pk(record.annotation_id)));
    item.insert(SK.to_owned(), s(EXPORT_SK));
    item.insert("kind".to_owned(), s("export"));
    item.insert("annotation_id".to_owned(), n(record.annotation_id));
    if let Some(document_id) = record.document_id {
        item.insert("document_id".to_owned(), n(document_id));
    }
    item.insert("vendor_id".to_owned(), s(&record.vendor_id));
    let amounts = [
        ("amount_total", &record.amount_total),
        ("amount_total_tax", &record.amount_total_tax),
        ("amount_total_base", &record.amount_total_base),
    ];
    for (name, amount) in amounts {
        let Some(amount) = amount else { continue };
        item.insert(name.to_owned(), s(&amount.raw));
        if let Some(value) = amount.value.and_then(storable) {
            item.insert(format!("{name}_value"), n(value));
        }
    }
    if let Some(currency) = &record.currency {
        item.insert("currency".to_owned(), s(currency));
    }
    item.insert(EXPORTED_AT.to_owned(), s(record.exported_at.as_str()));
    item.insert("request_id".to_owned(), s(&record.request_id));
    item.insert("status".to_owned(), s("ready"));
    item.insert(PICKUP.to_owned(), s(EXPORT_READY));
    item
}

/// The email item, without `expires_at` (which depends on the store's retention).
fn email_item(email: &EmailRecord) -> HashMap<String, AttributeValue> {
    let mut item = HashMap::with_capacity(20);
    item.insert(PK.to_owned(), s(email.key()));
    item.insert(SK.to_owned(), s(EMAIL_SK));
    item.insert("kind".to_owned(), s("email"));
    item.insert("email_url".to_owned(), s(&email.email_url));
    if let Some(email_id) = email.email_id {
        item.insert("email_id".to_owned(), n(email_id));
    }
    let texts = [
        ("queue", &email.queue),
        ("from", &email.from),
        ("to", &email.to),
        ("reply_to", &email.reply_to),
        ("subject", &email.subject),
        ("message_id", &email.message_id),
        ("date", &email.date),
        (
            "extracted_original_sender_email",
            &email.extracted_original_sender_email,
        ),
        (
            "extracted_original_sender_name",
            &email.extracted_original_sender_name,
        ),
    ];
    for (name, value) in texts {
        if let Some(value) = value {
            item.insert(name.to_owned(), s(value));
        }
    }
    item.insert("received_at".to_owned(), s(email.received_at.as_str()));
    item.insert("request_id".to_owned(), s(&email.request_id));
    item.insert("files_total".to_owned(), n(email.files_total));
    item.insert(
        "files_imported".to_owned(),
        AttributeValue::L(email.files_imported.iter().map(s).collect()),
    );
    item.insert("files_dropped".to_owned(), n(email.files_dropped));
    item
}

type Item = HashMap<String, AttributeValue>;

fn text(item: &Item, name: &str) -> Result<Option<String>, Unavailable> {
    match item.get(name) {
        None => Ok(None),
        Some(AttributeValue::S(value)) => Ok(Some(value.clone())),
        Some(other) => Err(records_unavailable(format!(
            "attribute {name} is {other:?}, not a string"
        ))),
    }
}

fn required_text(item: &Item, name: &str) -> Result<String, Unavailable> {
    text(item, name)?.ok_or_else(|| records_unavailable(format!("item without attribute {name}")))
}

fn number<T: std::str::FromStr>(item: &Item, name: &str) -> Result<Option<T>, Unavailable> {
    match item.get(name) {
        None => Ok(None),
        Some(AttributeValue::N(value)) => value
            .parse()
            .map(Some)
            .map_err(|_| records_unavailable(format!("attribute {name} holds {value:?}"))),
        Some(other) => Err(records_unavailable(format!(
            "attribute {name} is {other:?}, not a number"
        ))),
    }
}

fn required_number<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, Unavailable> {
    number(item, name)?.ok_or_else(|| records_unavailable(format!("item without attribute {name}")))
}

fn timestamp(item: &Item, name: &str) -> Result<Timestamp, Unavailable> {
    Timestamp::parse(&required_text(item, name)?).map_err(|e| records_unavailable(e.to_string()))
}

fn export_from_item(item: &Item) -> Result<ExportRecord, Unavailable> {
    let amount = |name: &str| -> Result<Option<Amount>, Unavailable> {
        Ok(match text(item, name)? {
            Some(raw) => Some(Amount {
                raw,
                value: number(item, &format!("{name}_value"))?,
            }),
            None => None,
        })
    };
    Ok(ExportRecord {
        annotation_id: required_number(item, "annotation_id")?,
        document_id: number(item, "document_id")?,
        vendor_id: required_text(item, "vendor_id")?,
        amount_total: amount("amount_total")?,
        amount_total_tax: amount("amount_total_tax")?,
        amount_total_base: amount("amount_total_base")?,
        currency: text(item, "currency")?,
        exported_at: timestamp(item, EXPORTED_AT)?,
        request_id: required_text(item, "request_id")?,
    })
}

fn email_from_item(item: &Item) -> Result<EmailRecord, Unavailable> {
    let files_imported = match item.get("files_imported") {
        None => Vec::new(),
        Some(AttributeValue::L(ids)) => ids
            .iter()
            .map(|id| match id {
                AttributeValue::S(id) => Ok(id.clone()),
                other => Err(records_unavailable(format!(
                    "attribute files_imported holds {other:?}, not a string"
                ))),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(records_unavailable(format!(
                "attribute files_imported is {other:?}, not a list"
            )));
        }
    };
    Ok(EmailRecord {
        email_url: required_text(item, "email_url")?,
        email_id: number(item, "email_id")?,
        queue: text(item, "queue")?,
        from: text(item, "from")?,
        to: text(item, "to")?,
        reply_to: text(item, "reply_to")?,
        subject: text(item, "subject")?,
        message_id: text(item, "message_id")?,
        date: text(item, "date")?,
        received_at: timestamp(item, "received_at")?,
        request_id: required_text(item, "request_id")?,
        files_total: required_number(item, "files_total")?,
        files_imported,
        files_dropped: required_number(item, "files_dropped")?,
        extracted_original_sender_email: text(item, "extracted_original_sender_email")?,
        extracted_original_sender_name: text(item, "extracted_original_sender_name")?,
    })
}

fn status_from_item(item: &Item) -> Result<StatusChange, Unavailable> {
    Ok(StatusChange {
        annotation_id: required_number(item, "annotation_id")?,
        queue: text(item, "queue")?,
        previous_status: text(item, "previous_status")?,
        status: required_text(item, "status")?,
        changed_at: timestamp(item, "changed_at")?,
        request_id: required_text(item, "request_id")?,
        transition: required_text(item, "transition")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(codes: &[&str]) -> Vec<CancellationReason> {
        codes
            .iter()
            .map(|code| CancellationReason::builder().code(*code).build())
            .collect()
    }

    #[test]
    fn cancellation_reasons_tell_duplicates_from_late_events() {
        use Cancellation::{Conflict, Settled, Unexpected};
        use StatusSettled::{Duplicate, NewerLatest};
        for (codes, expected) in [
            (&["ConditionalCheckFailed", "None"][..], Settled(Duplicate)),
            (
                &["ConditionalCheckFailed", "ConditionalCheckFailed"][..],
                Settled(Duplicate),
            ),
            (
                &["ConditionalCheckFailed", "TransactionConflict"][..],
                Settled(Duplicate),
            ),
            (
                &["None", "ConditionalCheckFailed"][..],
                Settled(NewerLatest),
            ),
            (&["None", "TransactionConflict"][..], Conflict),
            (&["TransactionConflict", "None"][..], Conflict),
            (&["ThrottlingError", "None"][..], Unexpected),
            (&["None", "ValidationError"][..], Unexpected),
            (&["None"][..], Unexpected),
            (&[][..], Unexpected),
        ] {
            assert_eq!(
                classify_cancellation(&reasons(codes)),
                expected,
                "{codes:?}"
            );
        }
        let none_code = vec![
            CancellationReason::builder().build(),
            CancellationReason::builder()
                .code("ConditionalCheckFailed")
                .build(),
        ];
        assert_eq!(classify_cancellation(&none_code), Settled(NewerLatest));
    }

    #[test]
    fn export_records_round_trip_through_items() {
        let record = ExportRecord {
            annotation_id: 4480712,
            document_id: Some(3309021),
            vendor_id: "V-10027".to_owned(),
            amount_total: Some(Amount {
                raw: "3085.08".to_owned(),
                value: Some(3085.08),
            }),
            amount_total_tax: Some(Amount {
                raw: "n/a".to_owned(),
                value: None,
            }),
            amount_total_base: None,
            currency: Some("EUR".to_owned()),
            exported_at: Timestamp::parse("2026-11-20T09:41:17.5Z").unwrap(),
            request_id: "r-1".to_owned(),
        };
        let item = export_item(&record);
        assert_eq!(
            item["amount_total_value"],
            AttributeValue::N("3085.08".to_owned())
        );
        assert!(!item.contains_key("amount_total_tax_value"));
        assert_eq!(item[PICKUP], AttributeValue::S(EXPORT_READY.to_owned()));
        assert_eq!(export_from_item(&item), Ok(record));
    }

    #[test]
    fn email_records_round_trip_through_items() {
        let email = EmailRecord {
            email_url: "https://example.rossum.app/api/v1/emails/1204418".to_owned(),
            email_id: Some(1204418),
            queue: Some("https://example.rossum.app/api/v1/queues/24710".to_owned()),
            from: Some("Petra <petra@buyer.example>".to_owned()),
            to: Some("invoices@example.rossum.app".to_owned()),
            reply_to: None,
            subject: Some(String::new()),
            message_id: Some("<m@mail.example>".to_owned()),
            date: Some("Mon, 16 Nov 2026 11:03:27 +0100".to_owned()),
            received_at: Timestamp::parse("2026-11-16T10:03:31.482915Z").unwrap(),
            request_id: "r-1".to_owned(),
            files_total: 5,
            files_imported: vec!["1".to_owned(), "3".to_owned()],
            files_dropped: 3,
            extracted_original_sender_email: Some("jana@supplier.example".to_owned()),
            extracted_original_sender_name: None,
        };
        let item = email_item(&email);
        assert_eq!(item[PK], AttributeValue::S("EMAIL#1204418".to_owned()));
        assert_eq!(item[SK], AttributeValue::S("EMAIL".to_owned()));
        assert!(!item.contains_key("reply_to"));
        assert!(!item.contains_key("extracted_original_sender_name"));
        assert_eq!(email_from_item(&item), Ok(email.clone()));

        let nothing_kept = EmailRecord {
            email_id: None,
            email_url: "urn:email:x".to_owned(),
            files_imported: vec![],
            ..email
        };
        let item = email_item(&nothing_kept);
        assert_eq!(item[PK], AttributeValue::S("EMAIL#urn:email:x".to_owned()));
        assert_eq!(item["files_imported"], AttributeValue::L(vec![]));
        assert_eq!(email_from_item(&item), Ok(nothing_kept));
    }

    #[test]
    fn unstorable_numbers_are_left_out() {
        assert_eq!(storable(f64::NAN), None);
        assert_eq!(storable(f64::INFINITY), None);
        assert_eq!(storable(1e300), None);
        assert_eq!(storable(-12.5), Some(-12.5));
    }
}
