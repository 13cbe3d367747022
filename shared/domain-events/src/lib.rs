//! What the records table's stream means downstream: every recorded outcome becomes one
//! EventBridge event ([`event_of`]), published by the `domain-events-publisher` function.
//!
//! The events are made from stream records alone (`StreamViewType: NEW_AND_OLD_IMAGES`), so
//! the request path never waits on EventBridge. Each event's `detail` holds the record's
//! attributes as plain JSON (without the table's own `pk`, `sk`, `kind`, `expires_at` and
//! `pickup`), its key under `record`, and an `event_id` derived from the record: a record
//! published twice (the stream delivers at least once) gives the same id, so consumers
//! de-duplicate on it.
//!
//! Large content (a contract.fit text, a document JSON, sections, a failure's data) is
//! inlined only while the whole entry stays within [`INLINE_ENTRY_BYTES`]; beyond that it is
//! left out, named under `omitted`, and read from the record's key. EventBridge bills every
//! started 64 KB of an entry as one event and refuses entries over [`MAX_ENTRY_BYTES`].

mod stream;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

pub use stream::{Image, StreamData, StreamEvent, StreamRecord, plain};

/// The largest entry whose content is inlined: one billed 64 KB chunk.
pub const INLINE_ENTRY_BYTES: usize = 64 * 1024;

/// EventBridge's limit on one entry (and on one PutEvents request).
pub const MAX_ENTRY_BYTES: usize = 256 * 1024;

/// The sources, one per platform.
pub const ROSSUM_SOURCE: &str = "webhooks.rossum";
pub const INKIT_SOURCE: &str = "webhooks.inkit";
pub const CONTRACTFIT_SOURCE: &str = "webhooks.contractfit";

/// The idempotency records of the upload function: what its triage answered is all it stores.
const UPLOAD_IDEMPOTENCY_PREFIX: &str = "IDEMPOTENCY#rossum-upload-created#";

/// Attributes that say where an item sits in the table, not what was recorded.
const TABLE_ATTRIBUTES: [&str; 5] = ["pk", "sk", "kind", "expires_at", "pickup"];

/// Every kind of event: its source, its detail-type and the record change it is made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    AnnotationStatusChanged,
    ExportReady,
    EmailReceived,
    UploadTriaged,
    InkitDocumentCreated,
    InkitDocumentCreateFailed,
    InkitDocumentDeleted,
    ContractFitTextStored,
    ContractFitSplitStored,
    ContractFitPredictionStored,
    ContractFitEvaluationStored,
    ContractFitRejectionStored,
    ContractFitFailureStored,
    ContractFitDocumentDeleted,
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::AnnotationStatusChanged,
        Kind::ExportReady,
        Kind::EmailReceived,
        Kind::UploadTriaged,
        Kind::InkitDocumentCreated,
        Kind::InkitDocumentCreateFailed,
        Kind::InkitDocumentDeleted,
        Kind::ContractFitTextStored,
        Kind::ContractFitSplitStored,
        Kind::ContractFitPredictionStored,
        Kind::ContractFitEvaluationStored,
        Kind::ContractFitRejectionStored,
        Kind::ContractFitFailureStored,
        Kind::ContractFitDocumentDeleted,
    ];

    pub fn source(self) -> &'static str {
        use Kind::*;
        match self {
            AnnotationStatusChanged | ExportReady | EmailReceived | UploadTriaged => ROSSUM_SOURCE,
            InkitDocumentCreated | InkitDocumentCreateFailed | InkitDocumentDeleted => INKIT_SOURCE,
            _ => CONTRACTFIT_SOURCE,
        }
    }

    pub fn detail_type(self) -> &'static str {
        use Kind::*;
        match self {
            AnnotationStatusChanged => "Annotation Status Changed",
            ExportReady => "Export Ready",
            EmailReceived => "Email Received",
            UploadTriaged => "Upload Triaged",
            InkitDocumentCreated => "Inkit Document Created",
            InkitDocumentCreateFailed => "Inkit Document Create Failed",
            InkitDocumentDeleted => "Inkit Document Deleted",
            ContractFitTextStored => "contract.fit Text Stored",
            ContractFitSplitStored => "contract.fit Split Stored",
            ContractFitPredictionStored => "contract.fit Prediction Stored",
            ContractFitEvaluationStored => "contract.fit Evaluation Stored",
            ContractFitRejectionStored => "contract.fit Rejection Stored",
            ContractFitFailureStored => "contract.fit Failure Stored",
            ContractFitDocumentDeleted => "contract.fit Document Deleted",
        }
    }

    /// The attribute holding content that may be too large to inline, if the kind has one.
    fn content_attribute(self) -> Option<&'static str> {
        use Kind::*;
        match self {
            ContractFitTextStored => Some("text"),
            ContractFitSplitStored => Some("sections"),
            ContractFitPredictionStored
            | ContractFitEvaluationStored
            | ContractFitRejectionStored => Some("document"),
            ContractFitFailureStored => Some("data"),
            _ => None,
        }
    }
}

/// One event to put on the bus.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainEvent {
    pub kind: Kind,
    /// A JSON object: `event_id`, `record` and the record's attributes.
    pub detail: Value,
    /// When the record changed (the stream record's time), in epoch seconds.
    pub time: Option<f64>,
}

impl DomainEvent {
    pub fn source(&self) -> &'static str {
        self.kind.source()
    }

    pub fn detail_type(&self) -> &'static str {
        self.kind.detail_type()
    }

    /// The id consumers de-duplicate on.
    pub fn event_id(&self) -> &str {
        self.detail["event_id"].as_str().unwrap_or_default()
    }

    /// The entry's size as EventBridge counts it: source, detail-type and detail in UTF-8,
    /// plus 14 bytes for the time.
    pub fn entry_size(&self) -> usize {
        self.source().len() + self.detail_type().len() + self.detail.to_string().len() + 14
    }
}

/// The event a stream record stands for, if it stands for one. Records of what is not an
/// outcome (the latest status, delivery keys, content parts, idempotency locks, an ERP's
/// pickup of an export, removals) stand for none.
pub fn event_of(record: &StreamRecord) -> Option<DomainEvent> {
    let new = record.new_image()?;
    let old = record.old_image();
    let (kind, version) = kind_of(&new, old.as_ref())?;
    let detail = match kind {
        Kind::UploadTriaged => upload_attributes(&new),
        _ => new.plain_attributes(&TABLE_ATTRIBUTES),
    };
    let (pk, sk) = (
        new.text("pk").unwrap_or_default(),
        new.text("sk").unwrap_or_default(),
    );
    let event_id = event_id(kind, pk, sk, &version);
    let mut full = Map::with_capacity(detail.len() + 2);
    full.insert("event_id".into(), Value::String(event_id));
    full.insert(
        "record".into(),
        json!({"table": record.table(), "pk": pk, "sk": sk}),
    );
    for (name, value) in detail {
        full.insert(name, value);
    }
    if let Some(content) = kind.content_attribute() {
        parse_json_text(&mut full, content);
    }
    let mut event = DomainEvent {
        kind,
        detail: Value::Object(full),
        time: record.dynamodb.approximate_creation,
    };
    fit(&mut event);
    Some(event)
}

/// Which event a change is, and what tells this change from another of the same item (for
/// the event id). Items written once are told apart by their key alone.
fn kind_of(new: &Image<'_>, old: Option<&Image<'_>>) -> Option<(Kind, String)> {
    let inserted = old.is_none();
    let changed = |name: &str| old.is_none_or(|old| old.0.get(name) != new.0.get(name));
    let once = String::new;
    if new.text("pk")?.starts_with(UPLOAD_IDEMPOTENCY_PREFIX) {
        let completed = |image: &Image<'_>| image.text("status") == Some("COMPLETED");
        let answered_2xx = new
            .0
            .get("response_status")
            .and_then(|s| s.get("N"))
            .and_then(Value::as_str)
            .is_some_and(|s| s.starts_with('2'));
        let just_completed = completed(new) && !old.is_some_and(completed) && answered_2xx;
        let version = new.text("validation").unwrap_or_default().to_owned();
        return just_completed.then_some((Kind::UploadTriaged, version));
    }
    Some(match new.text("kind")? {
        "status_change" if inserted => (Kind::AnnotationStatusChanged, once()),
        "export" if inserted => (Kind::ExportReady, once()),
        "email" if inserted => (Kind::EmailReceived, once()),
        "inkit_event" if inserted => match new.text("event_type")? {
            "DOCUMENT_CREATE_FAILED" => (Kind::InkitDocumentCreateFailed, once()),
            "DOCUMENT_DELETED" => (Kind::InkitDocumentDeleted, once()),
            // A finished document is announced once its details are settled (below).
            _ => return None,
        },
        "inkit_document" => {
            let settled = |image: &Image<'_>| {
                image.flag("details_fetched") == Some(true) || image.has("details_unavailable")
            };
            if !settled(new) || old.is_some_and(settled) {
                return None;
            }
            (Kind::InkitDocumentCreated, once())
        }
        "contractfit_text" if changed("text_sha256") => (
            Kind::ContractFitTextStored,
            new.text("text_sha256").unwrap_or_default().to_owned(),
        ),
        "contractfit_sections" => (
            Kind::ContractFitSplitStored,
            new.text("received_at").unwrap_or_default().to_owned(),
        ),
        "contractfit_predict" if inserted => (Kind::ContractFitPredictionStored, once()),
        "contractfit_evaluate" if inserted => (Kind::ContractFitEvaluationStored, once()),
        "contractfit_reject" if inserted => (Kind::ContractFitRejectionStored, once()),
        "contractfit_failure" if inserted => (Kind::ContractFitFailureStored, once()),
        "contractfit_deletion" => {
            let completed = |image: &Image<'_>| image.has("completed_at");
            if !completed(new) || old.is_some_and(completed) {
                return None;
            }
            (Kind::ContractFitDocumentDeleted, once())
        }
        _ => return None,
    })
}

/// An upload's triage: the delivery's `request_id` (its idempotency key) and the files as the
/// function answered them.
fn upload_attributes(new: &Image<'_>) -> Map<String, Value> {
    let pk = new.text("pk").unwrap_or_default();
    let request_id = pk.strip_prefix(UPLOAD_IDEMPOTENCY_PREFIX).unwrap_or(pk);
    let answer: Value = new
        .text("response_body")
        .and_then(|body| serde_json::from_str(body).ok())
        .unwrap_or(Value::Null);
    let files = answer.get("files").cloned().unwrap_or(Value::Array(vec![]));
    let prevented = files.as_array().map_or(0, |files| {
        files
            .iter()
            .filter(|f| f["prevent_importing"] == true)
            .count()
    });
    let total = files.as_array().map_or(0, Vec::len);
    let mut detail = Map::new();
    detail.insert("request_id".into(), Value::String(request_id.to_owned()));
    detail.insert("files_total".into(), total.into());
    detail.insert("files_imported".into(), (total - prevented).into());
    detail.insert("files_prevented".into(), prevented.into());
    detail.insert("files".into(), files);
    detail
}

/// A JSON document stored as text (`document`, `data`) goes into the detail as JSON.
fn parse_json_text(detail: &mut Map<String, Value>, name: &str) {
    if !matches!(name, "document" | "data") {
        return;
    }
    if let Some(Value::String(text)) = detail.get(name)
        && let Ok(parsed) = serde_json::from_str::<Value>(text)
    {
        detail.insert(name.to_owned(), parsed);
    }
}

/// Names under `omitted` what the detail does not hold: content stored in parts, content
/// that would take the entry past one billed chunk, and, past EventBridge's limit,
/// everything but the id and the key.
fn fit(event: &mut DomainEvent) {
    let content = event.kind.content_attribute();
    let mut omitted = Vec::new();
    let Value::Object(detail) = &mut event.detail else {
        return;
    };
    if let Some(content) = content
        && !detail.contains_key(content)
    {
        omitted.push(content.to_owned());
    }
    let size = |detail: &Map<String, Value>| {
        event.kind.source().len()
            + event.kind.detail_type().len()
            + 14
            + serde_json::to_string(detail).map_or(usize::MAX, |d| d.len())
    };
    if size(detail) > INLINE_ENTRY_BYTES
        && let Some(content) = content
        && detail.remove(content).is_some()
    {
        omitted.push(content.to_owned());
    }
    if size(detail) > MAX_ENTRY_BYTES {
        detail.retain(|name, _| {
            let keep = name == "event_id" || name == "record";
            if !keep {
                omitted.push(name.clone());
            }
            keep
        });
    }
    if !omitted.is_empty() {
        detail.insert("omitted".into(), omitted.into());
    }
}

/// 32 hex digits of the SHA-256 of what identifies the change: the kind, the key and, for an
/// item that changes, the version it changed to.
fn event_id(kind: Kind, pk: &str, sk: &str, version: &str) -> String {
    let mut digest = Sha256::new();
    for part in [kind.detail_type(), pk, sk, version] {
        digest.update(part.as_bytes());
        digest.update([0]);
    }
    hex::encode(&digest.finalize()[..16])
}
