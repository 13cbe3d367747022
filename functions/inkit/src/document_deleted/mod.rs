//! `inkit-document-deleted`: Inkit's `DOCUMENT_DELETED` webhook, sent when a document is
//! deleted.
//!
//! The deletion is recorded once per resource (the event item) and the resource's document
//! item is marked `deleted` with `deleted_at` (the first deletion's arrival); what was known
//! of the document and its earlier events stay. A deletion of a resource nothing is known of
//! still records the event and creates a document item that is only a deleted marker, so a
//! late `DOCUMENT_CREATE_FINISHED` cannot bring it back to life.
//!
//! Recorded and answered as every recording Inkit webhook is ([`crate::recorder`]).

pub use webhook_model::inkit::RecordedResponse;
use webhook_model::inkit::{InkitEventType, InkitWebhook};

use crate::recorder::Recorder;

/// The function's name: its Lambda binary, its registry entry, its log lines.
pub const NAME: &str = "inkit-document-deleted";

pub const EVENT_TYPE: InkitEventType = InkitEventType::DocumentDeleted;

/// How the event is recorded and logged.
pub(crate) static RECORDER: Recorder = Recorder {
    event_type: EVENT_TYPE,
    log_recorded,
};

/// Logs the deletion, first or redelivered.
fn log_recorded(webhook: &InkitWebhook, duplicate: bool) {
    tracing::info!(
        function = NAME,
        resource_id = webhook.resource_id.as_str(),
        duplicate,
        "document deletion recorded"
    );
}
