//! `inkit-document-create-finished`: Inkit's `DOCUMENT_CREATE_FINISHED` webhook, sent when a
//! document has been generated.
//!
//! The event is recorded first, once per `(event_type, resource_id)`, so that it is never
//! lost; then the document's details (name, status, render, folder, creation time) are
//! fetched from the Inkit API and recorded on the resource's document item. Answers:
//!
//! - 200 once the event is recorded and the details are recorded, or cannot be had in a
//!   way a retry would not change: no API token configured (a warning is logged), Inkit
//!   answering 404 (`details_unavailable = not_found`, a warning) or not with a document
//!   (`malformed`, an error);
//! - 503 when the records table cannot be written, or when the Inkit API cannot be reached
//!   after retries (or refuses the token, or the client is misconfigured): the event stays
//!   recorded, and Inkit's redelivery fetches the details again;
//! - a redelivery of an event whose details are recorded changes nothing and answers 200;
//!   one whose details are not (an earlier 503) fetches them again.
//!
//! The body says what happened: `{"recorded": true|false, "duplicate": true|false,
//! "details": "fetched" | "not_configured" | "not_found" | "malformed"}`.

use std::sync::Arc;

use idempotency::IdempotencyStore;

use inkit_client::{Document, InkitApi, InkitError};
use record_store::{
    InkitDocumentDetails, InkitEvent, InkitRecordStore, Timestamp, Written, details_unavailable,
};
use serde::Serialize;
use webhook_endpoint::inkit::parse_inkit_webhook;
use webhook_endpoint::{
    Body, Delivery, Endpoint, EndpointConfig, Response, Verifier, WebhookError, json_response,
};
use webhook_model::inkit::{InkitEventType, InkitWebhook};

pub const FUNCTION_NAME: &str = "inkit-document-create-finished";
pub const ROUTE: &str = "/inkit/document-create-finished";
pub const EVENT_TYPE: InkitEventType = InkitEventType::DocumentCreateFinished;

/// The answer's body (for whoever reads Inkit's webhook log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateFinishedResponse {
    /// Whether this delivery recorded the event.
    pub recorded: bool,
    /// Whether the event had been recorded by an earlier delivery.
    pub duplicate: bool,
    /// What is known of the document's details: `fetched`, `not_configured`, `not_found`,
    /// `malformed`.
    pub details: &'static str,
}

/// The endpoint served by the Lambda binary and by the local server, behind the
/// idempotency guard: a delivery's retries replay its stored answer instead of running again.
pub fn endpoint(
    config: &EndpointConfig,
    records: Arc<dyn InkitRecordStore>,
    inkit: Arc<dyn InkitApi>,
    idempotency_store: Arc<dyn IdempotencyStore>,
) -> Endpoint {
    Endpoint::new(
        FUNCTION_NAME,
        ROUTE,
        Verifier::Inkit(config.inkit_for(&EVENT_TYPE)),
        idempotency::guarded(
            idempotency_store,
            FUNCTION_NAME,
            idempotency::inkit_key,
            move |delivery| handle(delivery, records.clone(), inkit.clone()),
        ),
    )
    .with_max_body_bytes(config.max_body_bytes)
}

async fn handle(
    delivery: Delivery,
    records: Arc<dyn InkitRecordStore>,
    inkit: Arc<dyn InkitApi>,
) -> Result<Response<Body>, WebhookError> {
    let webhook = parse_inkit_webhook(delivery.body(), &EVENT_TYPE)?;
    let response = respond(&webhook, records.as_ref(), inkit.as_ref()).await?;
    Ok(json_response(200, &response))
}

/// Records the event, then the document's details unless an earlier delivery did.
pub async fn respond(
    webhook: &InkitWebhook,
    records: &dyn InkitRecordStore,
    inkit: &dyn InkitApi,
) -> Result<CreateFinishedResponse, WebhookError> {
    let resource_id = webhook.resource_id.as_str();
    let event = InkitEvent::arrived_now(webhook);
    let written = records
        .record_inkit_event(&event)
        .await
        .map_err(|e| WebhookError::Unavailable(e.to_string()))?;
    let duplicate = written == Written::AlreadyPresent;
    if duplicate {
        let document = records
            .inkit_document(resource_id)
            .await
            .map_err(|e| WebhookError::Unavailable(e.to_string()))?;
        if document.is_some_and(|d| d.details_fetched) {
            tracing::info!(
                function = FUNCTION_NAME,
                resource_id,
                "duplicate delivery; the document's details are recorded already"
            );
            return Ok(CreateFinishedResponse {
                recorded: false,
                duplicate,
                details: "fetched",
            });
        }
    }
    let answer = |details| CreateFinishedResponse {
        recorded: !duplicate,
        duplicate,
        details,
    };
    match inkit.document(resource_id).await {
        Ok(document) => {
            records
                .record_inkit_document_details(
                    resource_id,
                    &details_of(document),
                    &Timestamp::now(),
                )
                .await
                .map_err(|e| WebhookError::Unavailable(e.to_string()))?;
            tracing::info!(
                function = FUNCTION_NAME,
                resource_id,
                duplicate,
                "document details recorded"
            );
            Ok(answer("fetched"))
        }
        Err(InkitError::NotConfigured) => {
            tracing::warn!(
                function = FUNCTION_NAME,
                resource_id,
                "{} is not set: the event is recorded without the document's details",
                inkit_client::env_names::API_TOKEN
            );
            Ok(answer("not_configured"))
        }
        Err(error @ (InkitError::NotFound | InkitError::Malformed(_))) => {
            let reason = match error {
                InkitError::NotFound => details_unavailable::NOT_FOUND,
                _ => details_unavailable::MALFORMED,
            };
            records
                .mark_inkit_details_unavailable(resource_id, reason, &Timestamp::now())
                .await
                .map_err(|e| WebhookError::Unavailable(e.to_string()))?;
            // Retrying would not change Inkit's answer: acknowledge, and say why in the log.
            if matches!(error, InkitError::NotFound) {
                tracing::warn!(
                    function = FUNCTION_NAME,
                    resource_id,
                    "{error}: the event is recorded, its details are marked unavailable"
                );
            } else {
                tracing::error!(
                    function = FUNCTION_NAME,
                    resource_id,
                    "{error}: the event is recorded, its details are marked unavailable"
                );
            }
            Ok(answer(reason))
        }
        // Unavailable, a refused token, a misconfigured client: the event is kept, and a
        // redelivery once Inkit (or the configuration) is back completes the details.
        Err(error) => Err(WebhookError::Unavailable(format!(
            "the event is recorded but the document's details are not: {error}"
        ))),
    }
}

/// What the records keep of the API's document.
pub fn details_of(document: Document) -> InkitDocumentDetails {
    InkitDocumentDetails {
        id: document.id,
        name: document.name,
        status: document.status,
        render_id: document.render_id,
        folder_id: document.folder_id,
        created_at: document.created_at,
    }
}
