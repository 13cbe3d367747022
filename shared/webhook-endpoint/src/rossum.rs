//! Rossum-specific steps shared by every Rossum function: which event a delivery is, the
//! hook's settings, and the 200 answer.

use serde::de::DeserializeOwned;
use serde_json::Value;
use webhook_model::rossum::{AnnotationContentEvent, HookResponse};

use crate::{Body, Delivery, Response, WebhookError, json_response, parse_json};

/// The statuses Rossum retries a non-interactive hook's delivery on, and only these (unless
/// the hook sets `retry_on_any_non_2xx`): up to 5 attempts in all, about 30 s apart
/// (`config.retry_count`). Interactive deliveries (`started`, `updated`, `confirm`) are never
/// retried. Every temporary answer of ours is one of them; no final one is.
pub const RETRIED_STATUSES: [u16; 6] = [408, 429, 500, 502, 503, 504];

/// Checks that a delivery's `event` and `action` are the one event type a hook handles.
///
/// Another is a [`WebhookError::WrongEvent`] (422) naming what the function expects: a hook
/// subscribed to the wrong events is a configuration mistake to be shown.
pub fn expect_event(
    (event, action): (&str, &str),
    (expected_event, expected_action): (&str, &str),
) -> Result<(), WebhookError> {
    if event == expected_event && action == expected_action {
        return Ok(());
    }
    Err(WebhookError::WrongEvent(format!(
        "this hook handles {expected_event}.{expected_action}; it received {event}.{action}"
    )))
}

/// Parses an `annotation_content` delivery and checks it is one of `actions`.
///
/// Another event or action is a [`WebhookError::WrongEvent`] (422) naming what this function
/// expects: a hook subscribed to the wrong events is a configuration mistake to be shown.
pub fn parse_annotation_content(
    delivery: &Delivery,
    actions: &[&str],
) -> Result<AnnotationContentEvent, WebhookError> {
    let event: AnnotationContentEvent = parse_json(delivery.body())?;
    if event.event != "annotation_content" || !actions.contains(&event.action.as_str()) {
        let expected: Vec<String> = actions
            .iter()
            .map(|a| format!("annotation_content.{a}"))
            .collect();
        return Err(WebhookError::WrongEvent(format!(
            "this hook handles {}; it received {}",
            expected.join(", "),
            event.event_type()
        )));
    }
    if event.annotation.is_none() {
        return Err(WebhookError::MalformedBody(
            "annotation_content event without 'annotation'".to_owned(),
        ));
    }
    Ok(event)
}

/// The hook's `settings` as `T`; absent or `null` settings give `T::default()`.
///
/// A setting of the wrong type is a 400 that names it, so the Rossum user sees what to fix.
pub fn hook_settings<T: DeserializeOwned + Default>(settings: &Value) -> Result<T, WebhookError> {
    if settings.is_null() {
        return Ok(T::default());
    }
    T::deserialize(settings)
        .map_err(|e| WebhookError::MalformedBody(format!("invalid hook settings: {e}")))
}

/// [`hook_settings`] checked by `validate`: a setting either refuses is a 400 naming it.
pub fn checked_hook_settings<T, E>(
    settings: &Value,
    validate: impl FnOnce(T) -> Result<T, E>,
) -> Result<T, WebhookError>
where
    T: DeserializeOwned + Default,
    E: std::fmt::Display,
{
    validate(hook_settings(settings)?).map_err(|e| WebhookError::MalformedBody(e.to_string()))
}

/// The 200 answer Rossum reads `messages`, `operations` and `automation_blockers` from.
pub fn hook_response(response: &HookResponse) -> Response<Body> {
    json_response(200, response)
}
