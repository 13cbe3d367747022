//! Records of what webhooks did, in one DynamoDB table: the export record an ERP picks up
//! (written exactly once per annotation), the history of each annotation's status, the
//! metadata of each email received (written exactly once per email), and Inkit's events
//! (each written exactly once) with one document item per Inkit resource.
//!
//! Functions use the [`RecordStore`] trait (Rossum) or the [`InkitRecordStore`] trait
//! (Inkit): [`DynamoRecordStore`] when deployed, [`InMemoryRecordStore`] in the local server
//! and unit tests, and [`UnavailableRecordStore`] when the table is not configured, so that
//! deliveries are refused with 503 (and retried by the platform) instead of being lost. Each
//! of the three implements both traits.
//!
//! # Table design
//!
//! One table (`RECORDS_TABLE`), billed on demand, key `pk` (string, partition) + `sk`
//! (string, sort), TTL on the number attribute `expires_at` (epoch seconds), and one sparse
//! global secondary index, `erp_pickup` (`pickup` HASH, `exported_at` RANGE, all attributes).
//!
//! | item          | `pk`                                       | `sk`                               | expires |
//! |---------------|--------------------------------------------|------------------------------------|---------|
//! | export record | `EXPORT#<annotation_id>`                   | `EXPORT`                           | never   |
//! | status change | `ANNOTATION#<annotation_id>`               | `STATUS#<transition>` (digest of the annotation sent) | `changed_at` + retention (default 365 days) |
//! | latest status | `ANNOTATION#<annotation_id>`               | `LATEST`                           | `changed_at` + retention |
//! | email         | `EMAIL#<email_id>` (else `EMAIL#<email URL>`) | `EMAIL`                         | `received_at` + retention |
//! | Inkit event   | `INKIT#<resource_id>`                      | `EVENT#<event_type>`               | `received_at` + retention |
//! | Inkit document| `INKIT#<resource_id>`                      | `DOCUMENT`                         | `last_event_at` + retention |
//!
//! Every item carries `kind` (`export`, `status_change`, `latest_status`, `email`,
//! `inkit_event`, `inkit_document`) and its fields as top-level attributes. Timestamps are RFC 3339 in one canonical spelling (UTC,
//! microseconds: [`Timestamp`]), so that they sort as text.
//!
//! ## Export records ([`RecordStore::put_export_record`])
//!
//! Attributes: `annotation_id` (N), `document_id` (N), `vendor_id` (S), `amount_total`,
//! `amount_total_tax`, `amount_total_base` (S, as extracted) each with `<name>_value` (N,
//! the number, where it could be read), `currency` (S, ISO 4217 upper case), `exported_at`,
//! `request_id`, `status` = `ready` and `pickup` = `EXPORT#READY`. Optional attributes are
//! absent when the document has no value.
//!
//! One conditional `PutItem` (`attribute_not_exists(pk)`): the record is written whole or
//! not at all, and only the first export of an annotation writes it. Every later one
//! (Rossum's retries, a re-export) is [`Written::AlreadyPresent`] and changes nothing.
//!
//! ## How an ERP picks exports up
//!
//! 1. `Query` the index `erp_pickup` with `pickup = "EXPORT#READY"`: every record not yet
//!    picked up, oldest `exported_at` first (paginate with `ExclusiveStartKey`).
//! 2. Per record, claim it with `UpdateItem` on its key (`pk`, `sk` = `EXPORT`):
//!    `SET #status = :picked_up, picked_up_at = :now REMOVE pickup`, condition
//!    `#status = :ready`. A failed condition means another worker claimed it. Removing
//!    `pickup` takes the record out of the sparse index; the record itself stays, so a
//!    re-export of the annotation still finds it and writes nothing.
//!
//! Records are never deleted by TTL: they are both the ERP's data and what makes the export
//! exactly-once.
//!
//! ## Status changes ([`RecordStore::record_status_change`])
//!
//! Attributes: `annotation_id` (N), `queue`, `previous_status` (absent for an annotation's
//! first status), `status`, `changed_at`, `request_id`, `expires_at`. One
//! `TransactWriteItems` writes both items of a change:
//!
//! - the history item, on condition `attribute_not_exists(pk)`: exactly once per delivery,
//!   so a redelivery of the same event (same `request_id` and timestamp) is
//!   [`Written::AlreadyPresent`] and writes nothing;
//! - the latest item, on condition `attribute_not_exists(pk) OR changed_at <= :changed_at`:
//!   an older event that arrives late does not overwrite a newer status. Its history item is
//!   still written, alone, in a second conditional `PutItem` ([`Written::HistoryOnly`]).
//!
//! The transaction's cancellation reasons tell these cases apart; a transaction conflict
//! (two changes of one annotation at once) is retried a few times, and anything else is a
//! [`Unavailable`]. The history of an annotation is one `Query` of
//! `pk = ANNOTATION#<id> AND begins_with(sk, "STATUS#")`, sorted by `changed_at`; its current status
//! one `GetItem` of `sk = LATEST`.
//!
//! ## Emails ([`RecordStore::record_email`])
//!
//! Attributes: `email_url` (S, Rossum's `email`: the identity of the email), `email_id` (N,
//! the URL's trailing number, absent when it has none), `queue`, the email's own headers as
//! sent (`from`, `to`, `reply_to`, `subject`, `message_id`, `date`; each absent when not
//! sent), `received_at` (the event's timestamp), `request_id`, `files_total` (N),
//! `files_imported` (L of S: the ids of the attachments kept for import, in answer order),
//! `files_dropped` (N), `extracted_original_sender_email` and
//! `extracted_original_sender_name` (absent when the email was not forwarded), `expires_at`.
//!
//! One conditional `PutItem` (`attribute_not_exists(pk)`): only the first delivery of an
//! email writes it; a redelivery is [`Written::AlreadyPresent`] and changes nothing. The item
//! expires like the status history, `received_at` + retention. `from`, `to`, `date` are
//! DynamoDB reserved words: name them through `ExpressionAttributeNames` in expressions.
//!
//! ## Inkit events and documents ([`InkitRecordStore`])
//!
//! Inkit's webhook body is only `{"event_type", "resource_id"}`: no event id, no time. An
//! event is identified by `(event_type, resource_id)` and timed by its arrival.
//!
//! **Event items** (`sk = EVENT#<event_type>`): `resource_id`, `event_type`, `received_at`,
//! `expires_at`. **The document item** (`sk = DOCUMENT`): `resource_id`, `last_event` and
//! `last_event_at` (the event recorded last and when it arrived), `details_fetched` (BOOL),
//! the details from the Inkit API once fetched: `id`, `name`, `status`, `render_id`,
//! `folder_id`, `created_at` (as Inkit formats it), `details_fetched_at`; or, when the API
//! answered in a way retrying will not change, `details_unavailable` (`not_found`,
//! `malformed`) and `details_checked_at`; `create_failed_at` (on `DOCUMENT_CREATE_FAILED`);
//! `deleted` (BOOL) and `deleted_at` (the first `DOCUMENT_DELETED`); `expires_at`. `name`
//! and `status` are DynamoDB reserved words.
//!
//! [`InkitRecordStore::record_inkit_event`] is one `TransactWriteItems`: the event item on
//! condition `attribute_not_exists(pk)`, and an `UpdateItem` of the document item (created
//! when absent) that sets `last_event`, `last_event_at`, `expires_at`, sets
//! `details_fetched` and `deleted` only where absent (`if_not_exists`), and on
//! `DOCUMENT_DELETED` sets `deleted = true`. A redelivery fails the event's condition, so
//! the transaction writes nothing ([`Written::AlreadyPresent`]); a late create event never
//! clears `deleted`. Details are written afterwards by one `UpdateItem` on condition
//! `attribute_exists(pk)`: a function records the event first and never loses it to a
//! failing Inkit API, and a redelivery whose document item has `details_fetched = false`
//! knows to fetch them again.
//!
//! A resource's history: `Query` `pk = INKIT#<resource_id> AND begins_with(sk, "EVENT#")`;
//! its state: `GetItem` `sk = DOCUMENT`.

mod dynamo;
mod idempotency;
mod inkit;
mod memory;
mod records;
mod table;

use aws_sdk_dynamodb::Client;
use std::sync::Arc;

pub use dynamo::{DEFAULT_HISTORY_RETENTION, DynamoRecordStore};
pub use idempotency::{IDEMPOTENCY_PK_PREFIX, IDEMPOTENCY_SK, idempotency_pk};
pub use inkit::{
    InkitDocumentDetails, InkitDocumentRecord, InkitEvent, InkitRecordStore, details_unavailable,
};
pub use memory::InMemoryRecordStore;
pub use records::{Amount, EmailRecord, ExportRecord, StatusChange, Timestamp, TimestampError};
pub use table::{ERP_PICKUP_INDEX, create_records_table};

/// The environment variable naming the records table.
pub const RECORDS_TABLE_ENV: &str = "RECORDS_TABLE";
/// Overrides the DynamoDB endpoint (DynamoDB Local); unset on Lambda.
pub use dynamodb_support::DYNAMODB_ENDPOINT_ENV;

/// The value of `pickup` on an export record waiting for the ERP (the `erp_pickup` key).
pub const EXPORT_READY: &str = "EXPORT#READY";

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The record is new and was written.
    Inserted,
    /// Status changes only: the history item was written, but the latest status was left
    /// alone because a newer change had already been recorded.
    HistoryOnly,
    /// An earlier delivery recorded it already; nothing was changed.
    AlreadyPresent,
}

impl Written {
    /// How a log line names what the write did: `inserted` or `already_present`.
    pub fn as_log_str(self) -> &'static str {
        match self {
            Written::Inserted | Written::HistoryOnly => "inserted",
            Written::AlreadyPresent => "already_present",
        }
    }
}

pub use unavailable::{StoreFuture, Unavailable};

/// The records table could not be written or read (unreachable, throttled, misconfigured).
/// Functions answer 503, so that the platform retries the delivery.
pub fn records_unavailable(reason: impl Into<String>) -> Unavailable {
    Unavailable::new(RECORDS, reason)
}

/// The dependency [`records_unavailable`] names.
pub(crate) const RECORDS: &str = "records";

/// Where webhook effects are recorded. Object-safe, so a function is handed the DynamoDB
/// store, the in-memory one or the unavailable one at start-up.
pub trait RecordStore: Send + Sync {
    /// Writes the export record of an annotation unless one exists.
    fn put_export_record<'a>(&'a self, record: &'a ExportRecord) -> StoreFuture<'a, Written>;

    /// Records a status change in the history and, unless a newer one is recorded, as the
    /// annotation's latest status.
    fn record_status_change<'a>(&'a self, change: &'a StatusChange) -> StoreFuture<'a, Written>;

    /// Records the metadata of a received email unless the email is recorded already.
    fn record_email<'a>(&'a self, email: &'a EmailRecord) -> StoreFuture<'a, Written>;
}

/// The store of a function whose records table is not configured: every write fails, so
/// deliveries are refused with 503 and retried rather than acknowledged and lost.
#[derive(Debug, Clone)]
pub struct UnavailableRecordStore {
    reason: String,
}

impl UnavailableRecordStore {
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }

    fn reason(&self) -> &str {
        &self.reason
    }

    fn fail<'a, T: Send + 'a>(&self) -> StoreFuture<'a, T> {
        Box::pin(std::future::ready(Err(records_unavailable(
            self.reason.clone(),
        ))))
    }
}

impl InkitRecordStore for UnavailableRecordStore {
    fn record_inkit_event<'a>(&'a self, _event: &'a InkitEvent) -> StoreFuture<'a, Written> {
        self.fail()
    }

    fn inkit_document<'a>(
        &'a self,
        _resource_id: &'a str,
    ) -> StoreFuture<'a, Option<InkitDocumentRecord>> {
        self.fail()
    }

    fn record_inkit_document_details<'a>(
        &'a self,
        _resource_id: &'a str,
        _details: &'a InkitDocumentDetails,
        _fetched_at: &'a Timestamp,
    ) -> StoreFuture<'a, ()> {
        self.fail()
    }

    fn mark_inkit_details_unavailable<'a>(
        &'a self,
        _resource_id: &'a str,
        _reason: &'a str,
        _at: &'a Timestamp,
    ) -> StoreFuture<'a, ()> {
        self.fail()
    }
}

impl RecordStore for UnavailableRecordStore {
    fn put_export_record<'a>(&'a self, _record: &'a ExportRecord) -> StoreFuture<'a, Written> {
        self.fail()
    }

    fn record_status_change<'a>(&'a self, _change: &'a StatusChange) -> StoreFuture<'a, Written> {
        self.fail()
    }

    fn record_email<'a>(&'a self, _email: &'a EmailRecord) -> StoreFuture<'a, Written> {
        self.fail()
    }
}

/// The store a Lambda function uses: the table `RECORDS_TABLE` through `client`, the
/// process's one client (`dynamodb_support::shared_client_from_env`).
///
/// Without `RECORDS_TABLE` it logs an error and returns an [`UnavailableRecordStore`].
pub fn record_store_from_env(client: &Client) -> Arc<dyn RecordStore> {
    match dynamo_store_from_env(client) {
        Ok(store) => Arc::new(store),
        Err(unavailable) => Arc::new(unavailable),
    }
}

/// [`record_store_from_env`] for the Inkit functions: the same table, as an
/// [`InkitRecordStore`].
pub fn inkit_record_store_from_env(client: &Client) -> Arc<dyn InkitRecordStore> {
    match dynamo_store_from_env(client) {
        Ok(store) => Arc::new(store),
        Err(unavailable) => Arc::new(unavailable),
    }
}

/// The idempotency store of a guarded function: the records table as
/// [`record_store_from_env`] finds it. Without `RECORDS_TABLE` every delivery is refused
/// with 503: a guarded function never runs unguarded.
pub fn idempotency_store_from_env(
    client: &Client,
) -> Arc<dyn ::idempotency_store::IdempotencyStore> {
    match dynamo_store_from_env(client) {
        Ok(store) => Arc::new(store),
        Err(unavailable) => Arc::new(unavailable),
    }
}

fn dynamo_store_from_env(client: &Client) -> Result<DynamoRecordStore, UnavailableRecordStore> {
    let variable = |name: &str| {
        std::env::var(name)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let Some(table) = variable(RECORDS_TABLE_ENV) else {
        tracing::error!(
            "{RECORDS_TABLE_ENV} is not set: every delivery that records something will be refused with 503 until it is"
        );
        return Err(UnavailableRecordStore::new(format!(
            "the records table is not configured ({RECORDS_TABLE_ENV} is not set)"
        )));
    };
    Ok(DynamoRecordStore::new(client.clone(), table))
}
