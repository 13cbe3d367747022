//! `rossum-annotation-status`: Rossum's `annotation_status.changed` hook, sent on every
//! transition of an annotation's status (`importing` -> `to_review` -> `exporting` ->
//! `exported`, ...).
//!
//! Each transition is recorded once in the records table: a history item per transition
//! (a redelivery of the same event writes nothing, even one with a new `request_id` and
//! `timestamp`, which Rossum's reference does not rule out: the item is named by a digest of
//! the annotation as sent) and the annotation's latest status, which an older event arriving
//! late does not overwrite. Rossum ignores the answer's body; it
//! says what was recorded (`{"recorded": true, "latest": true}`,
//! `{"recorded": true, "latest": false}` for a late event, `{"recorded": false,
//! "duplicate": true}`). When the table cannot be written the answer is 503, so that Rossum
//! retries.

use std::sync::Arc;
pub use webhook_model::rossum::status::{AnnotationStatusEvent, QueueRef, StatusAnnotation};

use record_store::{RecordStore, StatusChange, Timestamp, Written};
use serde::Serialize;
use webhook_endpoint::{Body, Delivery, Response, WebhookError, json_response, parse_json};

/// The function's name: its Lambda binary, its registry entry, its log lines.
pub const NAME: &str = "rossum-annotation-status";

pub const EVENT: &str = "annotation_status";
pub const ACTION: &str = "changed";

/// The answer's body (Rossum ignores it; it is for whoever reads the hook's logs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusResponse {
    /// Whether this delivery wrote a history item.
    pub recorded: bool,
    /// Whether it became the annotation's latest status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest: Option<bool>,
    /// Set when the delivery had been recorded before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate: Option<bool>,
}

impl From<Written> for StatusResponse {
    fn from(written: Written) -> Self {
        match written {
            Written::Inserted => Self {
                recorded: true,
                latest: Some(true),
                duplicate: None,
            },
            Written::HistoryOnly => Self {
                recorded: true,
                latest: Some(false),
                duplicate: None,
            },
            Written::AlreadyPresent => Self {
                recorded: false,
                latest: None,
                duplicate: Some(true),
            },
        }
    }
}

pub(crate) async fn handle(
    delivery: Delivery,
    records: Arc<dyn RecordStore>,
) -> Result<Response<Body>, WebhookError> {
    let event = parse_annotation_status(&delivery)?;
    let response = respond(&event, records.as_ref()).await?;
    Ok(json_response(200, &response))
}

/// Parses an `annotation_status` delivery and checks it is a `changed` one.
///
/// Another event or action is a [`WebhookError::WrongEvent`] (422) naming what this function
/// expects, as for `annotation_content` hooks.
pub fn parse_annotation_status(delivery: &Delivery) -> Result<AnnotationStatusEvent, WebhookError> {
    let event: AnnotationStatusEvent = parse_json(delivery.body())?;
    webhook_endpoint::rossum::expect_event((&event.event, &event.action), (EVENT, ACTION))?;
    if event.annotation.is_none() {
        return Err(WebhookError::MalformedBody(
            "annotation_status event without 'annotation'".to_owned(),
        ));
    }
    Ok(event)
}

/// Records the transition; a store failure is a 503, a body without what is recorded a 400.
pub async fn respond(
    event: &AnnotationStatusEvent,
    records: &dyn RecordStore,
) -> Result<StatusResponse, WebhookError> {
    let change = status_change(event).map_err(WebhookError::MalformedBody)?;
    let written = records.record_status_change(&change).await?;
    tracing::info!(
        function = NAME,
        annotation_id = change.annotation_id,
        status = change.status,
        written = ?written,
        "status change"
    );
    Ok(written.into())
}

/// The status change an event reports, or why the body cannot give one.
pub fn status_change(event: &AnnotationStatusEvent) -> Result<StatusChange, String> {
    let annotation = event
        .annotation
        .as_ref()
        .ok_or("annotation_status event without 'annotation'")?;
    let annotation_id = annotation
        .id
        .ok_or("annotation_status event without 'annotation.id'")?;
    let status = annotation
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or("annotation_status event without 'annotation.status'")?;
    let changed_at = Timestamp::of_delivery(event.timestamp.as_deref(), "annotation_status event")?;
    // Without it a redelivery could not be told from a new change.
    let request_id = Some(event.request_id.trim())
        .filter(|r| !r.is_empty())
        .ok_or("annotation_status event without 'request_id'")?;
    Ok(StatusChange {
        annotation_id,
        queue: annotation.queue.clone().map(QueueRef::into_string),
        previous_status: annotation
            .previous_status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        status: status.to_owned(),
        changed_at,
        request_id: request_id.to_owned(),
        transition: transition(annotation),
    })
}

/// A digest of the annotation as sent: the same for every delivery of one transition,
/// different for a later transition between the same statuses (its times differ).
fn transition(annotation: &StatusAnnotation) -> String {
    let bytes =
        serde_json::to_vec(&annotation.as_sent()).expect("a JSON object serialises infallibly");
    idempotency::sha256_hex(&bytes)[..32].to_owned()
}
