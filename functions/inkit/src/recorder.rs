//! What the Inkit webhooks whose whole work is recording their event share: the parse that
//! refuses another event type with 422, the one write of the event (its item, and the state
//! of the resource's document item), and the answer. A function supplies its event type and
//! how it logs what was recorded; its registry entry puts it behind the idempotency guard.
//!
//! Answers 200 once recorded (`{"recorded": true}`, or `{"recorded": false, "duplicate":
//! true}` for a redelivery), 503 when the records table cannot be written, so that Inkit
//! retries.

use std::sync::Arc;

use record_store::{InkitEvent, InkitRecordStore, Written};
use webhook_endpoint::inkit::parse_inkit_webhook;
use webhook_endpoint::{Body, Delivery, Response, WebhookError, json_response};
use webhook_model::inkit::{InkitEventType, InkitWebhook, RecordedResponse};

/// One recording Inkit webhook.
pub struct Recorder {
    pub event_type: InkitEventType,
    /// Logs the event once recorded; `duplicate` when it had been recorded before.
    pub log_recorded: fn(&InkitWebhook, bool),
}

impl Recorder {
    /// Answers one delivery: parsed, recorded once, logged.
    pub async fn handle(
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
