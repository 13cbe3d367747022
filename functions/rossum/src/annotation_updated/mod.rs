//! `rossum-annotation-updated`: Rossum's interactive `annotation_content` hook (actions
//! `updated`, `user_update` and `started`). Rossum waits for it while the user edits, so it
//! only does work whose answer can have changed.
//!
//! - Zero VAT rates (Rossum's sample rule): VAT-rate cells containing "ZERO" become `0.0`.
//! - Vendor matching, re-run only when the VAT id, IBAN or supplier name datapoint is among
//!   `updated_datapoints`. When the master data cannot be reached the user's edit is not
//!   blocked: the answer is a 200 with a warning.
//!
//! Not behind the idempotency guard: the hook is interactive (Rossum never retries it) and
//! writes nothing.

use std::sync::Arc;

use rossum_rules::{Settings, match_vendor_datapoint, matching_inputs_changed, zero_vat_rates};
use vendor_matching::VendorStore;
use webhook_endpoint::rossum::hook_response;
use webhook_endpoint::{Body, Delivery, Response, WebhookError};
use webhook_model::rossum::{AnnotationContentEvent, HookResponse, Message};

/// The function's name: its Lambda binary, its registry entry, its log lines.
pub const NAME: &str = "rossum-annotation-updated";

/// `user_update` is the deprecated name of `updated`; `started` fires when a user opens it.
pub const ACTIONS: [&str; 3] = ["updated", "user_update", "started"];

/// The warning shown when matching could not run.
pub const MATCHING_UNAVAILABLE: &str = "Vendor matching is temporarily unavailable; the vendor was not re-checked. It will be checked again on the next change.";

pub(crate) async fn handle(
    delivery: Delivery,
    vendors: Arc<dyn VendorStore>,
) -> Result<Response<Body>, WebhookError> {
    let (event, settings) = crate::annotation_content(&delivery, &ACTIONS)?;
    Ok(hook_response(
        &respond(&event, &settings, vendors.as_ref()).await,
    ))
}

/// The hook's answer to one event.
pub async fn respond(
    event: &AnnotationContentEvent,
    settings: &Settings,
    vendors: &dyn VendorStore,
) -> HookResponse {
    let content = event.content();
    let (mut messages, mut operations) = zero_vat_rates(content, settings);
    if matching_inputs_changed(content, settings, &event.updated_datapoints) {
        match match_vendor_datapoint(content, settings, vendors).await {
            Ok(matched) => {
                messages.extend(matched.messages);
                operations.extend(matched.operations);
            }
            Err(error) => {
                tracing::warn!(
                    function = NAME,
                    reason = "master_data_unavailable",
                    "{error}"
                );
                messages.push(Message::warning(None, MATCHING_UNAVAILABLE));
            }
        }
    }
    HookResponse {
        messages,
        operations,
        automation_blockers: Vec::new(),
    }
}
