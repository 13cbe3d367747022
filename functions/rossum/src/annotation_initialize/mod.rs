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

use rossum_rules::{Settings, match_vendor_datapoint, sum_checks, zero_vat_rates};
use vendor_matching::{Unavailable, VendorStore};
use webhook_endpoint::rossum::hook_response;
use webhook_endpoint::{Body, Delivery, Response, WebhookError};
use webhook_model::rossum::{AnnotationContentEvent, AutomationBlocker, HookResponse, Message};

/// The function's name: its Lambda binary, its registry entry, its log lines.
pub const NAME: &str = "rossum-annotation-initialize";

pub const ACTIONS: [&str; 1] = ["initialize"];

pub(crate) async fn handle(
    delivery: Delivery,
    vendors: Arc<dyn VendorStore>,
) -> Result<Response<Body>, WebhookError> {
    let (event, settings) = crate::annotation_content(&delivery, &ACTIONS)?;
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
