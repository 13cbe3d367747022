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

pub use webhook_model::inkit::RecordedResponse;
use webhook_model::inkit::{InkitEventType, InkitWebhook};

use crate::recorder::Recorder;

/// The function's name: its Lambda binary, its registry entry, its log lines.
pub const NAME: &str = "inkit-document-create-failed";

pub const EVENT_TYPE: InkitEventType = InkitEventType::DocumentCreateFailed;

/// The value of the `metric` field of the failure's log line; the metric filter matches it.
pub const FAILURE_METRIC: &str = "inkit_document_create_failed";

/// How the event is recorded and logged.
pub(crate) static RECORDER: Recorder = Recorder {
    event_type: EVENT_TYPE,
    log_recorded,
};

/// Logs the failure for the metric the first time only; a redelivery at INFO.
fn log_recorded(webhook: &InkitWebhook, duplicate: bool) {
    let resource_id = webhook.resource_id.as_str();
    if duplicate {
        tracing::info!(
            function = NAME,
            resource_id,
            "duplicate delivery of a recorded document failure"
        );
    } else {
        tracing::error!(
            metric = FAILURE_METRIC,
            function = NAME,
            resource_id,
            "Inkit could not create document {resource_id}"
        );
    }
}
