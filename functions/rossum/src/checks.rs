//! Business rules for the `annotation_content` hooks: the Business Rules Validation `checks`
//! of the hook's settings when it has any, replacing the built-in sum checks and required
//! fields (other built-in rules stay).

use std::sync::Arc;

use business_rules::{RulesSettings, Trigger, run_checks, today_utc};
use webhook_endpoint::WebhookError;
use webhook_model::rossum::{AnnotationContentEvent, AutomationBlocker, Message, Operation};

/// The delivery's `checks`, read and checked (or as compiled for an earlier delivery with the
/// same checks): whatever cannot run is a 400 naming it.
pub fn configured_checks(
    event: &AnnotationContentEvent,
) -> Result<Option<Arc<RulesSettings>>, WebhookError> {
    RulesSettings::cached_from_hook_settings(&event.settings)
        .map_err(|e| WebhookError::MalformedBody(e.to_string()))
}

/// What the checks add to a hook's answer.
#[derive(Debug, Default)]
pub struct Checked {
    pub messages: Vec<Message>,
    pub automation_blockers: Vec<AutomationBlocker>,
}

/// Runs `checks` on `event` for `function`. On `updated` only the checks reading a datapoint
/// the user changed, or that this delivery's `operations` set, run. A check that cannot be
/// evaluated here (a division by zero, a value of the wrong kind) is skipped with a document
/// warning naming it, as are the settings' ignored keys.
pub fn run(
    function: &str,
    checks: &RulesSettings,
    event: &AnnotationContentEvent,
    trigger: Trigger,
    operations: &[Operation],
) -> Result<Checked, WebhookError> {
    let mut changed = event.updated_datapoints.clone();
    changed.extend(operations.iter().filter_map(|op| match op {
        Operation::Replace { id, .. } => Some(*id),
        _ => None,
    }));
    let answer = run_checks(
        checks,
        &business_rules::RulesInput {
            content: event.content(),
            queue_url: event.queue_url(),
            trigger,
            changed: &changed,
            today: today_utc(),
        },
    )
    .map_err(|e| WebhookError::MalformedBody(e.to_string()))?;
    let mut messages = answer.messages;
    for warning in answer.warnings {
        tracing::warn!(function, reason = "business_rules", "{warning}");
        messages.push(Message::warning(None, format!("Business rules: {warning}")));
    }
    Ok(Checked {
        messages,
        automation_blockers: answer.automation_blockers,
    })
}
