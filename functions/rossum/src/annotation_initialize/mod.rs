//! `rossum-annotation-initialize`: Rossum's `annotation_content.initialize` hook, called once
//! when extraction finishes. Not interactive and retried by Rossum, so this is where the
//! full checks run:
//!
//! - vendor matching against the master data (fills the vendor enum datapoint);
//! - zero VAT rates;
//! - sum checks (line totals against the total, tax details against the total tax), as
//!   warnings;
//! - `automation_blockers` for an unmatched vendor and for failed sums.
//!
//! When the master data cannot be reached the answer is 503, so that Rossum retries.
//!
//! Not behind the idempotency guard: matching only reads, so a retry computes the same answer.

use std::sync::Arc;
use webhook_function::{Function, Platform};

use rossum_rules::{Settings, match_vendor_datapoint, sum_checks, zero_vat_rates};
use vendor_matching::{Unavailable, VendorStore};
use webhook_endpoint::rossum::{hook_response, hook_settings, parse_annotation_content};
use webhook_endpoint::{Body, Delivery, Endpoint, EndpointConfig, Response, WebhookError};
use webhook_model::rossum::{AnnotationContentEvent, AutomationBlocker, HookResponse, Message};

pub const FUNCTION_NAME: &str = "rossum-annotation-initialize";
pub const ROUTE: &str = "/rossum/annotation-content/initialize";

/// This function as the registry and its Lambda binary know it.
pub const FUNCTION: Function = Function {
    name: FUNCTION_NAME,
    route: ROUTE,
    platform: Platform::Rossum,
    guarded: false,
    stores: "nothing: it answers with the vendor match",
    endpoint: |config, deps| endpoint(config, deps.vendors()),
};
pub const ACTIONS: [&str; 1] = ["initialize"];

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
    let response = respond(&event, &settings, vendors.as_ref()).await?;
    Ok(hook_response(&response))
}

/// The hook's answer, or the store error that makes it a 503.
pub async fn respond(
    event: &AnnotationContentEvent,
    settings: &Settings,
    vendors: &dyn VendorStore,
) -> Result<HookResponse, Unavailable> {
    let content = event.content();
    let matched = match_vendor_datapoint(content, settings, vendors).await?;
    let (mut messages, mut operations) = zero_vat_rates(content, settings);
    messages.extend(matched.messages);
    operations.extend(matched.operations);
    let mut automation_blockers: Vec<AutomationBlocker> = matched.blocker.into_iter().collect();
    for failure in sum_checks(content, settings) {
        messages.push(Message::warning(failure.id, failure.message.clone()));
        automation_blockers.push(AutomationBlocker {
            id: failure.id,
            content: failure.message,
        });
    }
    Ok(HookResponse {
        messages,
        operations,
        automation_blockers,
    })
}
