//! What the Inkit webhooks whose whole work is recording their event share: the endpoint
//! behind the idempotency guard, the parse that refuses another event type with 422, the one
//! write of the event (its item, and the state of the resource's document item), and the
//! answer. A function supplies its name, route, event type and how it logs what was recorded.
//!
//! Answers 200 once recorded (`{"recorded": true}`, or `{"recorded": false, "duplicate":
//! true}` for a redelivery), 503 when the records table cannot be written, so that Inkit
//! retries.

use std::sync::Arc;

use idempotency::IdempotencyStore;
use record_store::{InkitEvent, InkitRecordStore, Written};
use webhook_endpoint::inkit::parse_inkit_webhook;
use webhook_endpoint::{
    Body, Delivery, Endpoint, EndpointConfig, Response, WebhookError, json_response,
};
use webhook_function::Function;
use webhook_model::inkit::{InkitEventType, InkitWebhook, RecordedResponse};

/// One recording Inkit webhook.
pub struct Recorder {
    /// The function, as the registry knows it.
    pub function: &'static Function,
    pub event_type: InkitEventType,
    /// Logs the event once recorded; `duplicate` when it had been recorded before.
    pub log_recorded: fn(&InkitWebhook, bool),
}

impl Recorder {
    /// The endpoint served by the Lambda binary and by the local server, behind the
    /// idempotency guard: a delivery's retries replay its stored answer instead of running
    /// again.
    pub fn endpoint(
        &'static self,
        config: &EndpointConfig,
        records: Arc<dyn InkitRecordStore>,
        idempotency_store: Arc<dyn IdempotencyStore>,
    ) -> Endpoint {
        self.function.serve_guarded(
            config,
            idempotency_store,
            idempotency::inkit_key,
            move |delivery| self.handle(delivery, records.clone()),
        )
    }

    async fn handle(
        &self,
        delivery: Delivery,
        records: Arc<dyn InkitRecordStore>,
    ) -> Result<Response<Body>, WebhookError> {
        let webhook = parse_inkit_webhook(delivery.body(), &self.event_type)?;
        let response = self.record(&webhook, records.as_ref()).await?;
        Ok(json_response(200, &response))
    }

    /// Records the event once, then logs it.
    pub async fn record(
        &self,
        webhook: &InkitWebhook,
        records: &dyn InkitRecordStore,
    ) -> Result<RecordedResponse, WebhookError> {
        let written = records
            .record_inkit_event(&InkitEvent::arrived_now(webhook))
            .await?;
        let duplicate = written == Written::AlreadyPresent;
        (self.log_recorded)(webhook, duplicate);
        Ok(RecordedResponse::new(duplicate))
    }
}
