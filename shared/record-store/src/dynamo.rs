//! The records table on DynamoDB (see the crate documentation for its design).

mod inkit;

use crate::records_unavailable;
use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, CancellationReason, Put, TransactWriteItem};
use dynamodb_support::{
    Attributes, Cancellation, classify_cancellation, condition_failed, get_item, sdk_error,
    transact_write,
};
pub(crate) use dynamodb_support::{Item, PK, SK, n, s};

use crate::{
    Amount, EXPORT_READY, EmailRecord, ExportRecord, RECORDS, RecordStore, StatusChange,
    StoreFuture, Timestamp, Unavailable, Written,
};
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

    /// The items of partition `pk` whose sort key starts with `prefix`, in key order
    /// (strongly consistent, every page).
    pub(crate) async fn prefixed_items(
        &self,
        pk: &str,
        prefix: &str,
    ) -> Result<Vec<Item>, Unavailable> {
        self.client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":prefix", s(prefix))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| sdk_error(RECORDS, "Query", &self.table, e))
    }

    /// One strongly consistent `GetItem`.
    pub(crate) async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, Unavailable> {
        get_item(&self.client, RECORDS, &self.table, pk, sk, true).await
    }

    /// The export record of an annotation (strongly consistent read).
    pub async fn export(&self, annotation_id: u64) -> Result<Option<ExportRecord>, Unavailable> {
        self.get(&export_pk(annotation_id), EXPORT_SK)
            .await?
            .as_ref()
            .map(export_from_item)
            .transpose()
    }

    /// The recorded email at `email_url`, keyed as [`EmailRecord::key_of_url`] (strongly
    /// consistent read).
    pub async fn email(&self, email_url: &str) -> Result<Option<EmailRecord>, Unavailable> {
        self.get(&EmailRecord::key_of_url(email_url), EMAIL_SK)
            .await?
            .as_ref()
            .map(email_from_item)
            .transpose()
    }

    /// An annotation's latest status change (strongly consistent read).
    pub async fn latest_status(
        &self,
        annotation_id: u64,
    ) -> Result<Option<StatusChange>, Unavailable> {
        self.get(&annotation_pk(annotation_id), LATEST_SK)
            .await?
            .as_ref()
            .map(status_from_item)
            .transpose()
    }

    /// An annotation's status changes, oldest first (strongly consistent, every page).
    pub async fn status_history(
        &self,
        annotation_id: u64,
    ) -> Result<Vec<StatusChange>, Unavailable> {
        let mut changes = self
            .prefixed_items(&annotation_pk(annotation_id), STATUS_SK_PREFIX)
            .await?
            .iter()
            .map(status_from_item)
            .collect::<Result<Vec<_>, _>>()?;
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
            Err(err) if condition_failed(&err) => Ok(Written::AlreadyPresent),
            Err(err) => Err(sdk_error(RECORDS, "PutItem", &self.table, err)),
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
        match transact_write(
            &self.client,
            &self.table,
            items,
            classify_status_cancellation,
        )
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

fn classify_status_cancellation(reasons: &[CancellationReason]) -> Cancellation<StatusSettled> {
    classify_cancellation(reasons, 2, |codes| match codes {
        ["ConditionalCheckFailed", _] => Some(StatusSettled::Duplicate),
        ["None", "ConditionalCheckFailed"] => Some(StatusSettled::NewerLatest),
        _ => None,
    })
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

/// The attributes of an item of the records table.
pub(crate) fn attributes(item: &Item) -> Attributes<'_> {
    Attributes::of(RECORDS, item)
}

pub(crate) fn timestamp(item: &Item, name: &str) -> Result<Timestamp, Unavailable> {
    Timestamp::parse(&attributes(item).required_text(name)?)
        .map_err(|e| records_unavailable(e.to_string()))
}

fn export_from_item(item: &Item) -> Result<ExportRecord, Unavailable> {
    let amount = |name: &str| -> Result<Option<Amount>, Unavailable> {
        Ok(match attributes(item).text(name)? {
            Some(raw) => Some(Amount {
                raw,
                value: attributes(item).number(&format!("{name}_value"))?,
            }),
            None => None,
        })
    };
    Ok(ExportRecord {
        annotation_id: attributes(item).required_number("annotation_id")?,
        document_id: attributes(item).number("document_id")?,
        vendor_id: attributes(item).required_text("vendor_id")?,
        amount_total: amount("amount_total")?,
        amount_total_tax: amount("amount_total_tax")?,
        amount_total_base: amount("amount_total_base")?,
        currency: attributes(item).text("currency")?,
        exported_at: timestamp(item, EXPORTED_AT)?,
        request_id: attributes(item).required_text("request_id")?,
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
        email_url: attributes(item).required_text("email_url")?,
        email_id: attributes(item).number("email_id")?,
        queue: attributes(item).text("queue")?,
        from: attributes(item).text("from")?,
        to: attributes(item).text("to")?,
        reply_to: attributes(item).text("reply_to")?,
        subject: attributes(item).text("subject")?,
        message_id: attributes(item).text("message_id")?,
        date: attributes(item).text("date")?,
        received_at: timestamp(item, "received_at")?,
        request_id: attributes(item).required_text("request_id")?,
        files_total: attributes(item).required_number("files_total")?,
        files_imported,
        files_dropped: attributes(item).required_number("files_dropped")?,
        extracted_original_sender_email: attributes(item)
            .text("extracted_original_sender_email")?,
        extracted_original_sender_name: attributes(item).text("extracted_original_sender_name")?,
    })
}

fn status_from_item(item: &Item) -> Result<StatusChange, Unavailable> {
    Ok(StatusChange {
        annotation_id: attributes(item).required_number("annotation_id")?,
        queue: attributes(item).text("queue")?,
        previous_status: attributes(item).text("previous_status")?,
        status: attributes(item).required_text("status")?,
        changed_at: timestamp(item, "changed_at")?,
        request_id: attributes(item).required_text("request_id")?,
        transition: attributes(item).required_text("transition")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynamodb_support::cancellation_reasons;

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
                classify_status_cancellation(&cancellation_reasons(codes)),
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
        assert_eq!(
            classify_status_cancellation(&none_code),
            Settled(NewerLatest)
        );
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
