//! Inkit-specific steps shared by every Inkit function: which event a delivery is.

use webhook_model::inkit::{InkitEventType, InkitWebhook};

use crate::{WebhookError, parse_json};

/// Longest `resource_id` accepted: Inkit's ids are short; anything longer is not one.
pub const MAX_RESOURCE_ID_CHARS: usize = 256;

/// Parses an Inkit delivery and checks it is `expected`: another event type is a
/// [`WebhookError::WrongEvent`] (422) naming the expected one, since a webhook subscribed to
/// the wrong event is a configuration mistake to be shown.
pub fn parse_inkit_webhook(
    body: &[u8],
    expected: &InkitEventType,
) -> Result<InkitWebhook, WebhookError> {
    let webhook: InkitWebhook = parse_json(body)?;
    if &webhook.event_type != expected {
        return Err(WebhookError::WrongEvent(format!(
            "this webhook handles {expected}; it received {}",
            webhook.event_type
        )));
    }
    let id = &webhook.resource_id;
    if id.trim().is_empty()
        || id.chars().count() > MAX_RESOURCE_ID_CHARS
        || id.chars().any(char::is_control)
    {
        return Err(WebhookError::MalformedBody(format!(
            "'resource_id' must be 1 to {MAX_RESOURCE_ID_CHARS} printable characters"
        )));
    }
    Ok(webhook)
}
