//! contract.fit deliveries kept in the records table, each exactly once (the functions that
//! receive them are the package `contractfit-functions`).
//!
//! contract.fit retries a delivery on any answer but 200 (up to 10 times, 2^n seconds
//! apart), so a function answers 200 only once its event is stored, and storing the same
//! delivery twice changes nothing. Functions use the [`ContractFitStore`] trait:
//! [`DynamoContractFitStore`] when deployed, [`InMemoryContractFitStore`] in the local server
//! and unit tests, [`UnavailableContractFitStore`] when the table is not configured (every
//! delivery is then refused with 503 and retried, never acknowledged and lost).
//!
//! # What is stored
//!
//! - **Text** (`document_text`): the OCR text, byte for byte, one per document; a different
//!   text for the same document replaces it.
//! - **Sections** (`document_split`): the sections with `confidence` and `page` as sent and
//!   as numbers; a different split replaces them.
//! - **Versions** (`document_predict`, `document_evaluate`, `document_reject`): the document
//!   JSON whole, each with the time it arrived, side by side: the prediction and the reviewed
//!   version of one document are items of one partition. A document whose content (the
//!   SHA-256 of its canonical JSON, [`canonical_json`]) changed is a new version; the same
//!   content again is a duplicate.
//! - **Failures** (`document_fail`): the delivery's `data`, with the time it arrived.
//! - **Deletion** (`document_delete`): every item of the document is removed and a deletion
//!   marker (`deleted_at`) is kept.
//!
//! **Exactly once.** Every event is identified by its delivery key: the event name,
//! `data.id` and the SHA-256 of `data`'s canonical JSON ([`Delivery`]). The first delivery
//! with a key is stored ([`Stored::Stored`]); every later one is [`Stored::Duplicate`] and
//! writes nothing.
//!
//! **After a deletion.** contract.fit document ids are never reused, so an event arriving
//! for a deleted document is normally a late retry of one sent before the deletion. Such an
//! event is acknowledged and not stored ([`Stored::AfterDeletion`]), with one exception: a
//! document JSON (predict, evaluate, reject) whose own latest timestamp ([`document_time`]:
//! the `timings` and the `since` of its states) is later than `deleted_at` is stored again,
//! because contract.fit produced it after the deletion. Text, sections and failures carry no
//! time of their own and are never stored again. The marker stays, so a redelivered delete
//! is a duplicate.
//!
//! # Table design
//!
//! The records table of `record-store` (created by [`record_store::create_records_table`]),
//! one partition per document, `pk` = `CONTRACTFIT#<document id>`:
//!
//! | item       | `sk`                                   | attributes |
//! |------------|----------------------------------------|------------|
//! | text       | `TEXT`                                 | `text_sha256`, `text_bytes`, `received_at`, and `text` (S) or `chunk_count` |
//! | text chunk | `CHUNK#TEXT#<text sha256>#<n>`         | `data` (B): part `n` (from 00000) of the gzip of the text |
//! | sections   | `SECTIONS`                             | `sections` (L of M: `document_type`, `format`, `confidence`, `confidence_value` (N), `page`, `page_value` (N)), `section_count`, `received_at` |
//! | version    | `PREDICT#`, `EVALUATE#`, `REJECT#` + `<received_at>#<sha256, 16 hex>` | `event`, `document_sha256`, `document_bytes`, `document_time` (absent without one), `received_at`, and `document` (S: the canonical JSON) or `chunk_count` |
//! | version chunk | `CHUNK#<version sk>#<n>`            | `data` (B): part `n` of the gzip of the canonical JSON |
//! | failure    | `FAIL#<received_at>#<sha256, 16 hex>`  | `data` (S: canonical JSON), `received_at` |
//! | delivery   | `DELIVERY#<event>#<data sha256>`       | `event`, `data_sha256`, `received_at` |
//! | deletion   | `DELETED`                              | `deleted_at`, `completed_at` |
//!
//! Every item carries `kind` and `document_id`. Timestamps are [`Timestamp`]s (RFC 3339,
//! UTC, microseconds), so version keys sort by arrival. Nothing expires.
//!
//! The sections of one split are one item, so a split of more sections than fit in 400 KB
//! (a few thousand) cannot be stored and is answered 503.
//!
//! **Large texts and documents.** Up to [`INLINE_LIMIT`] bytes a text (or canonical JSON) is
//! an attribute of its item. A larger one is gzip-compressed and cut into parts of at most
//! [`CHUNK_BYTES`], each its own item, so nothing is limited by DynamoDB's 400 KB per item.
//! The parts are written first and the item naming them (with the content's SHA-256 and
//! length) last, in the transaction that also writes the delivery item; a reader that finds
//! the item finds every part, and verifies the hash of what it reassembles. Parts are keyed
//! by content (text) or by version, so writing a new text never touches the parts of the one
//! being read; the parts of a replaced text are removed after the switch.
//!
//! **Writes.** Each event is one `TransactWriteItems` (after its parts, if any): a
//! `ConditionCheck` that the document is not deleted (or deleted before the document's own
//! time), the delivery item on `attribute_not_exists(pk)`, and the item itself. The
//! cancellation reasons tell a duplicate from a deleted document. A delete writes the marker
//! (`deleted_at` kept from the first attempt), removes every other item of the partition
//! (`Query`, then `BatchWriteItem`s), and sets `completed_at`; a delete that finds
//! `completed_at` is a duplicate.

mod blob;
mod canonical;
mod document_time;
mod dynamo;
mod memory;

use std::sync::Arc;
use std::time::SystemTime;

use aws_sdk_dynamodb::primitives::{DateTime, DateTimeFormat};
use serde_json::Value;
use webhook_model::contractfit::{ContractFitEvent, DocumentId, Section};

pub use blob::{CHUNK_BYTES, INLINE_LIMIT};
pub use canonical::{canonical_json, sha256_hex};
pub use document_time::{DOCUMENT_TIME_FIELDS, document_time, parse_document_time};
pub use dynamo::DynamoContractFitStore;
pub use memory::InMemoryContractFitStore;
pub use record_store::Timestamp;

/// The partition key prefix of every contract.fit item.
pub const KEY_PREFIX: &str = "CONTRACTFIT#";

pub use unavailable::{StoreFuture, Unavailable};

/// The store could not be read or written (unreachable, throttled, misconfigured, or an item
/// that does not read back as written). Functions answer 503 so that contract.fit retries.
pub fn contractfit_unavailable(reason: impl Into<String>) -> Unavailable {
    Unavailable::new(CONTRACTFIT_STORE, reason)
}

/// The dependency [`contractfit_unavailable`] names.
pub(crate) const CONTRACTFIT_STORE: &str = "contract.fit store";

/// What storing a delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// The delivery was new and is stored (for a delete: the document is deleted).
    Stored,
    /// A delivery with the same key was stored before; nothing changed.
    Duplicate,
    /// The document was deleted before and this event is not newer than the deletion;
    /// nothing was stored.
    AfterDeletion,
}

impl Stored {
    /// The word the answer and the log use.
    pub fn as_str(self) -> &'static str {
        match self {
            Stored::Stored => "stored",
            Stored::Duplicate => "duplicate",
            Stored::AfterDeletion => "document_deleted",
        }
    }
}

/// One delivery's identity: the event, the document, the SHA-256 of `data`'s canonical JSON
/// (the delivery key), and when it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub event: ContractFitEvent,
    pub document_id: DocumentId,
    /// Lowercase hex SHA-256 of [`canonical_json`] of `data`.
    pub data_sha256: String,
    /// When the delivery arrived here (contract.fit sends no time of its own).
    pub received_at: Timestamp,
}

impl Delivery {
    pub fn new(
        event: ContractFitEvent,
        document_id: DocumentId,
        data: &Value,
        received_at: Timestamp,
    ) -> Self {
        Self {
            event,
            document_id,
            data_sha256: sha256_hex(canonical_json(data).as_bytes()),
            received_at,
        }
    }

    /// `<event>#<data sha256>`: unique per delivery within the document's partition.
    pub fn key(&self) -> String {
        format!("{}#{}", self.event.as_str(), self.data_sha256)
    }
}

/// The OCR text of a document, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredText {
    pub text: String,
    pub sha256: String,
    pub received_at: Timestamp,
}

/// The sections of a split document, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSections {
    pub sections: Vec<Section>,
    pub received_at: Timestamp,
}

/// One version of the document JSON: a prediction, a reviewed version or a rejection.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentVersion {
    /// `document_predict`, `document_evaluate` or `document_reject`.
    pub event: ContractFitEvent,
    pub received_at: Timestamp,
    /// The document's own latest time ([`document_time`]), when it has one.
    pub document_time: Option<Timestamp>,
    /// SHA-256 of the canonical JSON: what tells versions apart.
    pub sha256: String,
    pub document: Value,
}

/// A `document_fail` delivery, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub received_at: Timestamp,
    pub data: Value,
}

/// A document's deletion marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    /// When the first delete of the document arrived.
    pub deleted_at: Timestamp,
    /// Whether every other item of the document has been removed.
    pub complete: bool,
}

/// Everything stored about one document.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDocument {
    pub document_id: DocumentId,
    pub text: Option<StoredText>,
    pub sections: Option<StoredSections>,
    /// Oldest first.
    pub versions: Vec<DocumentVersion>,
    /// Oldest first.
    pub failures: Vec<Failure>,
    pub deletion: Option<Deletion>,
    /// The delivery keys stored ([`Delivery::key`]), sorted.
    pub deliveries: Vec<String>,
}

impl StoredDocument {
    pub fn new(document_id: DocumentId) -> Self {
        Self {
            document_id,
            text: None,
            sections: None,
            versions: Vec::new(),
            failures: Vec::new(),
            deletion: None,
            deliveries: Vec::new(),
        }
    }

    /// The versions that arrived with `event`, oldest first.
    pub fn versions_of<'a>(
        &'a self,
        event: &'a ContractFitEvent,
    ) -> impl Iterator<Item = &'a DocumentVersion> + 'a {
        self.versions.iter().filter(move |v| &v.event == event)
    }

    /// Whether anything but the deletion marker is stored.
    pub fn has_content(&self) -> bool {
        self.text.is_some()
            || self.sections.is_some()
            || !self.versions.is_empty()
            || !self.failures.is_empty()
            || !self.deliveries.is_empty()
    }
}

/// Where contract.fit deliveries are stored. Object-safe, so a function is handed the
/// DynamoDB store, the in-memory one or the unavailable one at start-up.
///
/// Every write is exactly once per [`Delivery`] and follows the deletion rule of the crate
/// documentation.
pub trait ContractFitStore: Send + Sync {
    /// Stores the document's OCR text (replacing a different earlier one).
    fn store_text<'a>(&'a self, delivery: &'a Delivery, text: &'a str) -> StoreFuture<'a, Stored>;

    /// Stores the document's sections (replacing different earlier ones).
    fn store_sections<'a>(
        &'a self,
        delivery: &'a Delivery,
        sections: &'a [Section],
    ) -> StoreFuture<'a, Stored>;

    /// Stores a version of the document JSON; `delivery.event` must be `document_predict`,
    /// `document_evaluate` or `document_reject`.
    fn store_document<'a>(
        &'a self,
        delivery: &'a Delivery,
        document: &'a Value,
    ) -> StoreFuture<'a, Stored>;

    /// Records a `document_fail` delivery with its `data`.
    fn record_failure<'a>(
        &'a self,
        delivery: &'a Delivery,
        data: &'a Value,
    ) -> StoreFuture<'a, Stored>;

    /// Removes everything stored about the document and keeps a deletion marker.
    fn delete_document<'a>(&'a self, delivery: &'a Delivery) -> StoreFuture<'a, Stored>;

    /// Everything stored about a document; `None` when nothing is.
    fn load<'a>(&'a self, document_id: &'a DocumentId) -> StoreFuture<'a, Option<StoredDocument>>;
}

/// The store of a function whose records table is not configured: every call fails, so
/// deliveries are refused with 503 and retried rather than acknowledged and lost.
#[derive(Debug, Clone)]
pub struct UnavailableContractFitStore {
    reason: String,
}

impl UnavailableContractFitStore {
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }

    fn fail<'a, T: Send + 'a>(&self) -> StoreFuture<'a, T> {
        Box::pin(std::future::ready(Err(contractfit_unavailable(
            self.reason.clone(),
        ))))
    }
}

impl ContractFitStore for UnavailableContractFitStore {
    fn store_text<'a>(&'a self, _: &'a Delivery, _: &'a str) -> StoreFuture<'a, Stored> {
        self.fail()
    }

    fn store_sections<'a>(&'a self, _: &'a Delivery, _: &'a [Section]) -> StoreFuture<'a, Stored> {
        self.fail()
    }

    fn store_document<'a>(&'a self, _: &'a Delivery, _: &'a Value) -> StoreFuture<'a, Stored> {
        self.fail()
    }

    fn record_failure<'a>(&'a self, _: &'a Delivery, _: &'a Value) -> StoreFuture<'a, Stored> {
        self.fail()
    }

    fn delete_document<'a>(&'a self, _: &'a Delivery) -> StoreFuture<'a, Stored> {
        self.fail()
    }

    fn load<'a>(&'a self, _: &'a DocumentId) -> StoreFuture<'a, Option<StoredDocument>> {
        self.fail()
    }
}

/// The store a Lambda function uses: the records table `RECORDS_TABLE`, at
/// `DYNAMODB_ENDPOINT` when set (DynamoDB Local), else at the region's DynamoDB with the
/// function role's credentials.
///
/// Without `RECORDS_TABLE` it logs an error and returns an [`UnavailableContractFitStore`].
pub fn contractfit_store_from_env(client: &aws_sdk_dynamodb::Client) -> Arc<dyn ContractFitStore> {
    let variable = |name: &str| {
        std::env::var(name)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let table_variable = record_store::RECORDS_TABLE_ENV;
    let Some(table) = variable(table_variable) else {
        tracing::error!(
            "{table_variable} is not set: every contract.fit delivery will be refused with 503 until it is"
        );
        return Arc::new(UnavailableContractFitStore::new(format!(
            "the records table is not configured ({table_variable} is not set)"
        )));
    };
    Arc::new(DynamoContractFitStore::new(client.clone(), table))
}

/// The current time as a [`Timestamp`].
pub fn now() -> Timestamp {
    let formatted = DateTime::from(SystemTime::now())
        .fmt(DateTimeFormat::DateTime)
        .expect("the current time is within the years 1..9999");
    Timestamp::parse(&formatted).expect("the SDK formats RFC 3339")
}

/// Which item kind a document event's version is stored as (`PREDICT`, ...); `None` for
/// events that carry no document JSON.
pub(crate) fn version_prefix(event: &ContractFitEvent) -> Option<&'static str> {
    match event {
        ContractFitEvent::DocumentPredict => Some("PREDICT"),
        ContractFitEvent::DocumentEvaluate => Some("EVALUATE"),
        ContractFitEvent::DocumentReject => Some("REJECT"),
        _ => None,
    }
}

/// Versions in the order they arrived (ties: by kind, then content), as both stores list them.
pub(crate) fn sort_versions(versions: &mut [DocumentVersion]) {
    versions.sort_by(|a, b| {
        (&a.received_at, version_prefix(&a.event), &a.sha256).cmp(&(
            &b.received_at,
            version_prefix(&b.event),
            &b.sha256,
        ))
    });
}

pub(crate) fn not_a_document_event(event: &ContractFitEvent) -> Unavailable {
    contractfit_unavailable(format!(
        "{event} carries no document JSON: only document_predict, document_evaluate and document_reject are stored as versions"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_delivery_key_ignores_key_order_and_whitespace() {
        let id: DocumentId = "5e7a0df1800de5422a6f7776".parse().unwrap();
        let at = Timestamp::parse("2026-11-20T09:00:00Z").unwrap();
        let a = Delivery::new(
            ContractFitEvent::DocumentSplit,
            id.clone(),
            &json!({"id": "5e7a0df1800de5422a6f7776", "sections": []}),
            at.clone(),
        );
        let b_data: Value =
            serde_json::from_str(r#"{ "sections" : [ ],"id":"5e7a0df1800de5422a6f7776" }"#)
                .unwrap();
        let b = Delivery::new(ContractFitEvent::DocumentSplit, id.clone(), &b_data, at);
        assert_eq!(a.key(), b.key());
        assert!(a.key().starts_with("document_split#"));
        assert_eq!(a.data_sha256.len(), 64);
    }

    #[test]
    fn now_is_a_canonical_timestamp() {
        let now = now();
        assert_eq!(now.as_str().len(), "2026-11-20T09:52:44.118204Z".len());
        assert!(now.epoch_seconds() > 1_700_000_000);
    }
}
