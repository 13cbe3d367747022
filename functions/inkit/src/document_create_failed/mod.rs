//! `inkit-document-create-failed`: Inkit's `DOCUMENT_CREATE_FAILED` webhook, sent when a
//! document could not be generated.
//!
//! The failure is recorded once per resource (the event item, and `create_failed_at` on the
//! resource's document item) and logged at ERROR level with the stable field
//! `metric = "inkit_document_create_failed"`, one line per failure (redeliveries are logged
//! at INFO), so that a CloudWatch metric filter counts failed documents:
//!
//! ```text
//! { $.fields.metric = "inkit_document_create_failed" }
//! ```
//!
//! (with `AWS_LAMBDA_LOG_FORMAT=JSON`, the line is
//! `{"level":"ERROR","fields":{"message":"...","metric":"inkit_document_create_failed","resource_id":"doc_..."},...}`).
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

pub const FUNCTION_NAME: &str = "inkit-document-create-failed";
pub const ROUTE: &str = "/inkit/document-create-failed";
pub const EVENT_TYPE: InkitEventType = InkitEventType::DocumentCreateFailed;

/// This function as the registry and its Lambda binary know it.
pub const FUNCTION: Function = Function {
    name: FUNCTION_NAME,
    route: ROUTE,
    platform: Platform::Inkit(EVENT_TYPE),
    guarded: true,
    stores: "one EVENT# item per event and the document's DOCUMENT item, marked failed",
    endpoint: |config, deps| RECORDER.endpoint(config, deps.inkit_records(), deps.idempotency()),
};

/// The value of the `metric` field of the failure's log line; the metric filter matches it.
pub const FAILURE_METRIC: &str = "inkit_document_create_failed";

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

/// Logs the failure for the metric the first time only; a redelivery at INFO.
fn log_recorded(webhook: &InkitWebhook, duplicate: bool) {
    let resource_id = webhook.resource_id.as_str();
    if duplicate {
        tracing::info!(
            function = FUNCTION_NAME,
            resource_id,
            "duplicate delivery of a recorded document failure"
        );
    } else {
        tracing::error!(
            metric = FAILURE_METRIC,
            function = FUNCTION_NAME,
            resource_id,
            "Inkit could not create document {resource_id}"
        );
    }
}
