//! `rossum-annotation-initialize`: Rossum's `annotation_content.initialize` hook, called once
//! when extraction finishes. Not interactive and retried by Rossum, so this is where the
//! full checks run:
//!
//! - master-data matching: the hook's Master Data Hub `configurations` against the datasets
//!   when its settings have them, else vendor matching (fills the vendor enum datapoint);
//! - zero VAT rates;
//! - sum checks (line totals against the total, tax details against the total tax), as
//!   warnings; or, when the hook's settings have Business Rules Validation `checks`, those
//!   checks instead;
//! - `automation_blockers` for an unmatched vendor, a configuration's error message and
//!   failed sums.
//!
//! When the master data cannot be reached the answer is 503, so that Rossum retries; a
//! configuration that cannot run on the datasets is a 400 naming what to change.
//!
//! Not behind the idempotency guard: matching only reads, so a retry computes the same answer.

use business_rules::{RulesSettings, Trigger};
use dataset_matching::MatchingError;
use rossum_rules::{Settings, sum_checks, zero_vat_rates};
use vendor_matching::{Unavailable, VendorStore};
use webhook_endpoint::rossum::hook_response;
use webhook_endpoint::{Body, Delivery, Response, WebhookError};
use webhook_model::rossum::{AnnotationContentEvent, AutomationBlocker, HookResponse, Message};

use crate::checks::configured_checks;
use crate::master_data::{self, MasterData, Matcher, configured_matching, refusal};

/// The function's name: its Lambda binary, its registry entry, its log lines.
pub const NAME: &str = "rossum-annotation-initialize";

pub const ACTIONS: [&str; 1] = ["initialize"];

pub(crate) async fn handle(
    delivery: Delivery,
    master: MasterData,
) -> Result<Response<Body>, WebhookError> {
    let (event, settings) = crate::annotation_content(&delivery, &ACTIONS)?;
    let configured = configured_matching(&event)?;
    let checks = configured_checks(&event)?;
    let matcher = Matcher::new(configured.as_ref(), &master);
    let response = match &checks {
        Some(checks) => respond_with_checks(&event, &settings, matcher, checks).await?,
        None => respond_with(&event, &settings, matcher)
            .await
            .map_err(refusal)?,
    };
    Ok(hook_response(&response))
}

/// The hook's answer with the built-in vendor matching, or the store error that makes it a
/// 503.
pub async fn respond(
    event: &AnnotationContentEvent,
    settings: &Settings,
    vendors: &dyn VendorStore,
) -> Result<HookResponse, Unavailable> {
    respond_with(event, settings, Matcher::Vendors(vendors))
        .await
        .map_err(|error| match error {
            MatchingError::Unavailable(error) => error,
            // Vendor matching reads no configuration.
            MatchingError::Configuration(reason) => {
                vendor_matching::master_data_unavailable(reason)
            }
        })
}

/// The hook's answer with `matcher` and the built-in sum checks.
pub async fn respond_with(
    event: &AnnotationContentEvent,
    settings: &Settings,
    matcher: Matcher<'_>,
) -> Result<HookResponse, MatchingError> {
    let mut response = matched(event, settings, matcher).await?;
    for failure in sum_checks(event.content(), settings) {
        response
            .messages
            .push(Message::warning(failure.id, failure.message.clone()));
        response.automation_blockers.push(AutomationBlocker {
            id: failure.id,
            content: failure.message,
        });
    }
    Ok(response)
}

/// The hook's answer with `matcher` and the settings' `checks` in place of the built-in sum
/// checks (they see what matching set).
pub async fn respond_with_checks(
    event: &AnnotationContentEvent,
    settings: &Settings,
    matcher: Matcher<'_>,
    checks: &RulesSettings,
) -> Result<HookResponse, WebhookError> {
    let mut response = matched(event, settings, matcher).await.map_err(refusal)?;
    let checked = crate::checks::run(
        NAME,
        checks,
        event,
        Trigger::Initialize,
        &response.operations,
    )?;
    response.messages.extend(checked.messages);
    response
        .automation_blockers
        .extend(checked.automation_blockers);
    Ok(response)
}

/// Zero VAT rates and master-data matching.
async fn matched(
    event: &AnnotationContentEvent,
    settings: &Settings,
    matcher: Matcher<'_>,
) -> Result<HookResponse, MatchingError> {
    let matched = master_data::run(NAME, matcher, event, settings).await?;
    let (mut messages, mut operations) = zero_vat_rates(event.content(), settings);
    messages.extend(matched.messages);
    operations.extend(matched.operations);
    Ok(HookResponse {
        messages,
        operations,
        automation_blockers: matched.automation_blockers,
    })
}
