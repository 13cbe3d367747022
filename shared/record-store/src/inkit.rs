//! What is recorded of Inkit's webhooks: each event once, and per resource one document
//! item that the events and the document details fetched from the Inkit API update.

use crate::records_unavailable;
use webhook_model::inkit::InkitEventType;

use crate::{StoreFuture, Timestamp, Unavailable, Written};

/// Why the document details of a resource could not be had, where retrying will not help.
/// Stored as `details_unavailable`.
pub mod details_unavailable {
    /// The Inkit API answered 404.
    pub const NOT_FOUND: &str = "not_found";
    /// The Inkit API answered, but not with the documented document.
    pub const MALFORMED: &str = "malformed";
    /// Every retry failed (Inkit unreachable or refusing the token for too long): given up,
    /// visibly. The worker's dead-letter queue keeps the event on AWS; the local server marks
    /// the document so.
    pub const GAVE_UP: &str = "gave_up";
}

/// One Inkit webhook delivery. Inkit sends no event id and no time: `(event_type,
/// resource_id)` is the event's identity and `received_at` is when it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InkitEvent {
    pub resource_id: String,
    pub event_type: InkitEventType,
    pub received_at: Timestamp,
}

impl InkitEvent {
    /// The event of a delivery arriving now (Inkit's body carries no time of its own).
    pub fn arrived_now(webhook: &webhook_model::inkit::InkitWebhook) -> Self {
        Self {
            resource_id: webhook.resource_id.clone(),
            event_type: webhook.event_type.clone(),
            received_at: Timestamp::now(),
        }
    }

    /// The partition of every item of `resource_id`.
    pub fn key_of_resource(resource_id: &str) -> String {
        format!("INKIT#{resource_id}")
    }
}

/// What the Inkit API says about a document, as recorded (the fields a reader of the
/// records table needs; the API's answer has more).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InkitDocumentDetails {
    /// Inkit's `id` (`doc_...`).
    pub id: String,
    pub name: Option<String>,
    pub status: Option<String>,
    pub render_id: Option<String>,
    pub folder_id: Option<String>,
    /// As Inkit formats it.
    pub created_at: Option<String>,
}

/// The document item of one Inkit resource: what its events and the API said about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InkitDocumentRecord {
    pub resource_id: String,
    /// The event recorded last, and when it arrived.
    pub last_event: InkitEventType,
    pub last_event_at: Timestamp,
    /// Whether `details` hold what the Inkit API answered.
    pub details_fetched: bool,
    pub details: Option<InkitDocumentDetails>,
    pub details_fetched_at: Option<Timestamp>,
    /// Set when the API answered in a way retrying will not change
    /// ([`details_unavailable`]); cleared when details are fetched.
    pub details_unavailable: Option<String>,
    /// When `DOCUMENT_CREATE_FAILED` arrived.
    pub create_failed_at: Option<Timestamp>,
    pub deleted: bool,
    /// When `DOCUMENT_DELETED` first arrived.
    pub deleted_at: Option<Timestamp>,
}

/// Where Inkit events and documents are recorded: the same stores as [`crate::RecordStore`]
/// (the same table), through a trait of its own so each function is handed only what it
/// writes. Object-safe.
pub trait InkitRecordStore: Send + Sync {
    /// Records `event` unless the same `(event_type, resource_id)` is recorded already
    /// ([`Written::AlreadyPresent`]: nothing is changed). With the event, and only with it,
    /// the resource's document item gets `last_event` and `last_event_at`, and
    /// `DOCUMENT_DELETED` marks it deleted, `DOCUMENT_CREATE_FAILED` failed. A document
    /// item is created when the resource has none.
    fn record_inkit_event<'a>(&'a self, event: &'a InkitEvent) -> StoreFuture<'a, Written>;

    /// The document item of `resource_id` (a strongly consistent read).
    fn inkit_document<'a>(
        &'a self,
        resource_id: &'a str,
    ) -> StoreFuture<'a, Option<InkitDocumentRecord>>;

    /// Stores the details the Inkit API gave, sets `details_fetched` and clears
    /// `details_unavailable`. The resource's event must be recorded first: without a
    /// document item this is an error.
    fn record_inkit_document_details<'a>(
        &'a self,
        resource_id: &'a str,
        details: &'a InkitDocumentDetails,
        fetched_at: &'a Timestamp,
    ) -> StoreFuture<'a, ()>;

    /// Records why the details cannot be had ([`details_unavailable`]), unless they were
    /// fetched meanwhile (or no event of the resource is recorded: then nothing is written).
    fn mark_inkit_details_unavailable<'a>(
        &'a self,
        resource_id: &'a str,
        reason: &'a str,
        at: &'a Timestamp,
    ) -> StoreFuture<'a, ()>;
}

/// Details for a resource whose event was never recorded.
pub(crate) fn no_document(resource_id: &str) -> Unavailable {
    records_unavailable(format!(
        "no Inkit document item for {resource_id:?}: its event must be recorded first"
    ))
}
