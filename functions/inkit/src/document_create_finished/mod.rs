//! `inkit-document-create-finished`: Inkit's `DOCUMENT_CREATE_FINISHED` webhook, sent when a
//! document has been generated.
//!
//! The event is recorded first, once per `(event_type, resource_id)`, so that it is never
//! lost; then the document's details (name, status, render, folder, creation time) are
//! fetched from the Inkit API and recorded on the resource's document item. Inkit documents
//! no redelivery, so once the event is recorded the answer is 200 whatever Inkit's API does,
//! and completing the details is this project's job ([`details`]):
//!
//! - `fetched`: the details are recorded;
//! - `not_configured`: no API token (a warning is logged); `not_found` (Inkit answered 404, a
//!   warning) or `malformed` (not a document, an error): recorded as unavailable, since a retry
//!   would not change the answer;
//! - `pending`: Inkit unreachable after the client's retries, refusing the token, or the
//!   details' write failing: the event is recorded, and the details are retried by the
//!   `inkit-document-details` worker from the records table's stream (on AWS) or by a
//!   background task (the local server), until they are had or given up visibly;
//! - 503 only when the event itself cannot be recorded;
//! - a redelivery of an event whose details are recorded changes nothing and answers 200.
//!
//! The body says what happened: `{"recorded": true|false, "duplicate": true|false,
//! "details": "fetched" | "pending" | "not_configured" | "not_found" | "malformed" | "gave_up"}`.

pub mod details;

use std::sync::Arc;
use webhook_function::{Background, Dependencies};

use inkit_client::InkitApi;
use record_store::{InkitEvent, InkitRecordStore, Written};
use serde::Serialize;
use webhook_endpoint::inkit::parse_inkit_webhook;
use webhook_endpoint::{
    Body, Delivery, Endpoint, EndpointConfig, Response, WebhookError, json_response,
};
use webhook_model::inkit::{InkitEventType, InkitWebhook};

pub use details::{
    BackgroundRetry, DetailsOutcome, PendingDetails, RetriedFromTheStream, RetrySchedule,
    complete_details, details_of, fetch_details,
};

/// The function's name: its Lambda binary, its registry entry, its log lines.
pub const NAME: &str = "inkit-document-create-finished";

pub const EVENT_TYPE: InkitEventType = InkitEventType::DocumentCreateFinished;

/// Where details not fetched within the deadline are completed: on AWS by the records
/// table's stream and `inkit-document-details`; in the local server, retried in-process.
pub(crate) fn pending_details(deps: &Dependencies) -> Arc<dyn PendingDetails> {
    match deps.background() {
        Background::EventSources => Arc::new(RetriedFromTheStream),
        Background::InProcess => Arc::new(BackgroundRetry::new(
            deps.inkit_records(),
            deps.inkit_api(),
            RetrySchedule::from_env(),
        )),
    }
}

/// The answer's body (for whoever reads Inkit's webhook log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateFinishedResponse {
    /// Whether this delivery recorded the event.
    pub recorded: bool,
    /// Whether the event had been recorded by an earlier delivery.
    pub duplicate: bool,
    /// What is known of the document's details: `fetched`, `pending`, `not_configured`,
    /// `not_found`, `malformed`, `gave_up`.
    pub details: &'static str,
}

/// The endpoint over `deps`' Inkit records and API, `pending` completing the details a
/// delivery could not fetch in time.
pub fn endpoint(
    config: &EndpointConfig,
    deps: &Dependencies,
    pending: Arc<dyn PendingDetails>,
) -> Endpoint {
    let (records, inkit) = (deps.inkit_records(), deps.inkit_api());
    let handler = move |delivery| handle(delivery, records.clone(), inkit.clone(), pending.clone());
    crate::DOCUMENT_CREATE_FINISHED.serve(config, deps, handler)
}

async fn handle(
    delivery: Delivery,
    records: Arc<dyn InkitRecordStore>,
    inkit: Arc<dyn InkitApi>,
    pending: Arc<dyn PendingDetails>,
) -> Result<Response<Body>, WebhookError> {
    let webhook = parse_inkit_webhook(delivery.body(), &EVENT_TYPE)?;
    let response = respond(&webhook, records.as_ref(), inkit.as_ref(), pending.as_ref()).await?;
    Ok(json_response(200, &response))
}

/// Records the event, then the document's details unless an earlier delivery did; details
/// not had now are handed to `pending`.
pub async fn respond(
    webhook: &InkitWebhook,
    records: &dyn InkitRecordStore,
    inkit: &dyn InkitApi,
    pending: &dyn PendingDetails,
) -> Result<CreateFinishedResponse, WebhookError> {
    let resource_id = webhook.resource_id.as_str();
    let event = InkitEvent::arrived_now(webhook);
    let written = records.record_inkit_event(&event).await?;
    let duplicate = written == Written::AlreadyPresent;
    // A first delivery's document item has no details yet: no need to read it.
    let outcome = if duplicate {
        complete_details(NAME, resource_id, records, inkit).await
    } else {
        fetch_details(NAME, resource_id, records, inkit).await
    };
    if let DetailsOutcome::Pending(reason) = &outcome {
        pending.details_pending(resource_id, reason);
    }
    if outcome == DetailsOutcome::AlreadyFetched {
        tracing::info!(
            function = NAME,
            resource_id,
            "duplicate delivery; the document's details are recorded already"
        );
    }
    Ok(CreateFinishedResponse {
        recorded: !duplicate,
        duplicate,
        details: outcome.as_str(),
    })
}
