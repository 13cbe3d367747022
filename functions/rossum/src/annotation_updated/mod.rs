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
use webhook_function::{Function, Platform};

use rossum_rules::{Settings, match_vendor_datapoint, matching_inputs_changed, zero_vat_rates};
use vendor_matching::VendorStore;
use webhook_endpoint::rossum::{hook_response, hook_settings, parse_annotation_content};
use webhook_endpoint::{Body, Delivery, Endpoint, EndpointConfig, Response, WebhookError};
use webhook_model::rossum::{AnnotationContentEvent, HookResponse, Message};

pub const FUNCTION_NAME: &str = "rossum-annotation-updated";
pub const ROUTE: &str = "/rossum/annotation-content/updated";

/// This function as the registry and its Lambda binary know it.
pub const FUNCTION: Function = Function {
    name: FUNCTION_NAME,
    route: ROUTE,
    platform: Platform::Rossum,
    guarded: false,
    stores: "nothing: it answers with the vendor match and the rules' messages",
    endpoint: |config, deps| endpoint(config, deps.vendors()),
};
/// `user_update` is the deprecated name of `updated`; `started` fires when a user opens it.
pub const ACTIONS: [&str; 3] = ["updated", "user_update", "started"];

/// The warning shown when matching could not run.
pub const MATCHING_UNAVAILABLE: &str = "Vendor matching is temporarily unavailable; the vendor was not re-checked. It will be checked again on the next change.";

/// The endpoint served by the Lambda binary and by the local server.
pub fn endpoint(config: &EndpointConfig, vendors: Arc<dyn VendorStore>) -> Endpoint {
    FUNCTION.serve(config, move |delivery| handle(delivery, vendors.clone()))
}

async fn handle(
    delivery: Delivery,
    vendors: Arc<dyn VendorStore>,
) -> Result<Response<Body>, WebhookError> {
    let event = parse_annotation_content(&delivery, &ACTIONS)?;
    let settings = hook_settings::<Settings>(&event.settings)?
        .validate()
        .map_err(|e| WebhookError::MalformedBody(e.to_string()))?;
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
                    function = FUNCTION_NAME,
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
