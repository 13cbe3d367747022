//! `rossum-annotation-updated`: Rossum's interactive `annotation_content` hook (actions
//! `updated`, `user_update` and `started`). Rossum waits for it while the user edits, so it
//! only does work whose answer can have changed.
//!
//! - Zero VAT rates (Rossum's sample rule): VAT-rate cells containing "ZERO" become `0.0`.
//! - Master-data matching: the hook's Master Data Hub `configurations`, each re-run only where
//!   a datapoint it reads changed; without them, vendor matching, re-run only when the VAT
//!   id, IBAN or supplier name datapoint is among `updated_datapoints`. When the master data
//!   cannot be reached the user's edit is not blocked: the answer is a 200 with a warning.
//!   A configuration that cannot run on the datasets is a 400 naming what to change.
//! - Business rules: the Business Rules Validation `checks` of the hook's settings, those
//!   reading a datapoint the user (or this delivery) changed.
//!
//! Not behind the idempotency guard: the hook is interactive (Rossum never retries it) and
//! writes nothing.

use business_rules::Trigger;
use dataset_matching::MatchingError;
use rossum_rules::{Settings, matching_inputs_changed, zero_vat_rates};
use vendor_matching::VendorStore;
use webhook_endpoint::rossum::hook_response;
use webhook_endpoint::{Body, Delivery, Response, WebhookError};
use webhook_model::rossum::{AnnotationContentEvent, HookResponse, Message};

use crate::master_data::{self, MasterData, Matcher, configured_matching};

/// The function's name: its Lambda binary, its registry entry, its log lines.
pub const NAME: &str = "rossum-annotation-updated";

/// `user_update` is the deprecated name of `updated`; `started` fires when a user opens it.
pub const ACTIONS: [&str; 3] = ["updated", "user_update", "started"];

/// The warning shown when matching could not run.
pub const MATCHING_UNAVAILABLE: &str = "Vendor matching is temporarily unavailable; the vendor was not re-checked. It will be checked again on the next change.";
/// The warning shown when configured matching could not read the datasets.
pub const DATASETS_UNAVAILABLE: &str = "Master data matching is temporarily unavailable; the matched fields were not re-checked. They will be checked again on the next change.";

pub(crate) async fn handle(
    delivery: Delivery,
    master: MasterData,
) -> Result<Response<Body>, WebhookError> {
    let (event, settings) = crate::annotation_content(&delivery, &ACTIONS)?;
    let configured = configured_matching(&event)?;
    let checks = crate::checks::configured_checks(&event)?;
    let matcher = Matcher::new(configured.as_ref(), &master);
    let mut response = respond_with(&event, &settings, matcher)
        .await
        .map_err(WebhookError::MalformedBody)?;
    if let Some(checks) = &checks {
        // Only the checks reading what the user or this delivery changed run.
        let checked =
            crate::checks::run(NAME, checks, &event, Trigger::Updated, &response.operations)?;
        response.messages.extend(checked.messages);
    }
    Ok(hook_response(&response))
}

/// The hook's answer to one event, with the built-in vendor matching.
pub async fn respond(
    event: &AnnotationContentEvent,
    settings: &Settings,
    vendors: &dyn VendorStore,
) -> HookResponse {
    match respond_with(event, settings, Matcher::Vendors(vendors)).await {
        Ok(response) => response,
        // Vendor matching reads no configuration, so it is never refused.
        Err(reason) => unreachable!("vendor matching refused: {reason}"),
    }
}

/// The hook's answer with `matcher`, or why its configuration cannot run (a 400).
pub async fn respond_with(
    event: &AnnotationContentEvent,
    settings: &Settings,
    matcher: Matcher<'_>,
) -> Result<HookResponse, String> {
    let content = event.content();
    let (mut messages, mut operations) = zero_vat_rates(content, settings);
    let runs = match matcher {
        Matcher::Vendors(_) => {
            matching_inputs_changed(content, settings, &event.updated_datapoints)
        }
        Matcher::Configured { .. } => true,
    };
    if runs {
        match master_data::run(NAME, matcher, event, settings).await {
            Ok(matched) => {
                messages.extend(matched.messages);
                operations.extend(matched.operations);
            }
            Err(MatchingError::Configuration(reason)) => return Err(reason),
            Err(MatchingError::Unavailable(error)) => {
                tracing::warn!(
                    function = NAME,
                    reason = "master_data_unavailable",
                    "{error}"
                );
                let warning = match matcher {
                    Matcher::Vendors(_) => MATCHING_UNAVAILABLE,
                    Matcher::Configured { .. } => DATASETS_UNAVAILABLE,
                };
                messages.push(Message::warning(None, warning));
            }
        }
    }
    Ok(HookResponse {
        messages,
        operations,
        automation_blockers: Vec::new(),
    })
}
