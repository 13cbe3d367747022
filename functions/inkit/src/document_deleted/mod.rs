//! `inkit-document-deleted`: Inkit's `DOCUMENT_DELETED` webhook, sent when a document is
//! deleted.
//!
//! The deletion is recorded once per resource (the event item) and the resource's document
//! item is marked `deleted` with `deleted_at` (the first deletion's arrival); what was known
//! of the document and its earlier events stay. A deletion of a resource nothing is known of
//! still records the event and creates a document item that is only a deleted marker, so a
//! late `DOCUMENT_CREATE_FINISHED` cannot bring it back to life.
//!
//! Answers 200 once recorded (`{"recorded": true}`, or `{"recorded": false, "duplicate":
//! true}` for a redelivery), 503 when the records table cannot be written, so that Inkit
//! retries.

use std::sync::Arc;
use webhook_function::{Function, Platform};

use idempotency::IdempotencyStore;

use record_store::{InkitEvent, InkitRecordStore, Written};
use webhook_endpoint::inkit::parse_inkit_webhook;
use webhook_endpoint::{
    Body, Delivery, Endpoint, EndpointConfig, Response, Verifier, WebhookError, json_response,
};
pub use webhook_model::inkit::RecordedResponse;
use webhook_model::inkit::{InkitEventType, InkitWebhook};

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
    endpoint: |config, deps| endpoint(config, deps.inkit_records(), deps.idempotency()),
};

/// The endpoint served by the Lambda binary and by the local server, behind the
/// idempotency guard: a delivery's retries replay its stored answer instead of running again.
pub fn endpoint(
    config: &EndpointConfig,
    records: Arc<dyn InkitRecordStore>,
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
            move |delivery| handle(delivery, records.clone()),
        ),
    )
    .with_max_body_bytes(config.max_body_bytes)
}

async fn handle(
    delivery: Delivery,
    records: Arc<dyn InkitRecordStore>,
) -> Result<Response<Body>, WebhookError> {
    let webhook = parse_inkit_webhook(delivery.body(), &EVENT_TYPE)?;
    let response = respond(&webhook, records.as_ref()).await?;
    Ok(json_response(200, &response))
}

/// Records the deletion and marks the document deleted.
pub async fn respond(
    webhook: &InkitWebhook,
    records: &dyn InkitRecordStore,
) -> Result<RecordedResponse, WebhookError> {
    let resource_id = webhook.resource_id.as_str();
    let event = InkitEvent::arrived_now(webhook);
    let written = records
        .record_inkit_event(&event)
        .await
        .map_err(|e| WebhookError::Unavailable(e.to_string()))?;
    let duplicate = written == Written::AlreadyPresent;
    tracing::info!(
        function = FUNCTION_NAME,
        resource_id,
        duplicate,
        "document deletion recorded"
    );
    Ok(RecordedResponse::new(duplicate))
}
