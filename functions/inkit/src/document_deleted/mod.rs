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

use std::sync::Arc;

use idempotency::IdempotencyStore;
use record_store::InkitRecordStore;
use webhook_endpoint::{Endpoint, EndpointConfig};
use webhook_function::{Function, Platform};
pub use webhook_model::inkit::RecordedResponse;
use webhook_model::inkit::{InkitEventType, InkitWebhook};

use crate::recorder::Recorder;

pub const FUNCTION_NAME: &str = "inkit-document-deleted";
pub const ROUTE: &str = "/inkit/document-deleted";
pub const EVENT_TYPE: InkitEventType = InkitEventType::DocumentDeleted;

/// This function as the registry and its Lambda binary know it.
pub const FUNCTION: Function = Function {
    name: FUNCTION_NAME,
    route: ROUTE,
    platform: Platform::Inkit(EVENT_TYPE),
    guarded: true,
    stores: "one EVENT# item per event and the document's DOCUMENT item, marked deleted",
    endpoint: |config, deps| RECORDER.endpoint(config, deps.inkit_records(), deps.idempotency()),
};

static RECORDER: Recorder = Recorder {
    function: &FUNCTION,
    event_type: EVENT_TYPE,
    log_recorded,
};

/// The endpoint served by the Lambda binary and by the local server.
pub fn endpoint(
    config: &EndpointConfig,
    records: Arc<dyn InkitRecordStore>,
    idempotency_store: Arc<dyn IdempotencyStore>,
) -> Endpoint {
    RECORDER.endpoint(config, records, idempotency_store)
}

/// Logs the deletion, first or redelivered.
fn log_recorded(webhook: &InkitWebhook, duplicate: bool) {
    tracing::info!(
        function = FUNCTION_NAME,
        resource_id = webhook.resource_id.as_str(),
        duplicate,
        "document deletion recorded"
    );
}
