//! `rossum-annotation-updated`: Rossum's interactive `annotation_content` hook (actions
//! `updated`, `user_update` and `started`).
//!
//! Rule (from Rossum's webhook guide): every datapoint of the VAT-rate column whose value
//! contains "ZERO" (any case) is replaced by `0.0`; an annotation without that column gets
//! an error message. The schema id, the marker and the replacement come from the hook's
//! `settings`, with the guide's values as defaults.

use serde::Deserialize;
use webhook_endpoint::rossum::{hook_response, hook_settings, parse_annotation_content};
use webhook_endpoint::{
    Body, Delivery, Endpoint, EndpointConfig, Response, Verifier, WebhookError,
};
use webhook_model::rossum::{HookResponse, Message, Node, Operation, datapoints_by_schema_id};

pub const FUNCTION_NAME: &str = "rossum-annotation-updated";
pub const ROUTE: &str = "/rossum/annotation-content/updated";
/// `user_update` is the deprecated name of `updated`; `started` fires when a user opens it.
pub const ACTIONS: [&str; 3] = ["updated", "user_update", "started"];

/// Per-hook configuration, read from the Rossum hook's `settings` object.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The column whose cells are checked.
    pub vat_rate_schema_id: String,
    /// A value containing this (any case) means a zero rate.
    pub zero_rate_marker: String,
    /// What such a value is replaced with.
    pub zero_rate_value: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            vat_rate_schema_id: "item_vat_rate".to_owned(),
            zero_rate_marker: "ZERO".to_owned(),
            zero_rate_value: "0.0".to_owned(),
        }
    }
}

impl Settings {
    fn validate(self) -> Result<Self, WebhookError> {
        // An empty marker is contained in every value and would zero the whole column.
        if self.zero_rate_marker.trim().is_empty() || self.vat_rate_schema_id.trim().is_empty() {
            return Err(WebhookError::MalformedBody(
                "invalid hook settings: vat_rate_schema_id and zero_rate_marker must not be empty"
                    .to_owned(),
            ));
        }
        Ok(self)
    }
}

/// The endpoint served by the Lambda binary and by the local server.
pub fn endpoint(config: &EndpointConfig) -> Endpoint {
    Endpoint::new(
        FUNCTION_NAME,
        ROUTE,
        Verifier::Rossum(config.rossum.clone()),
        handle,
    )
    .with_max_body_bytes(config.max_body_bytes)
}

async fn handle(delivery: Delivery) -> Result<Response<Body>, WebhookError> {
    let event = parse_annotation_content(&delivery, &ACTIONS)?;
    let settings: Settings = hook_settings::<Settings>(&event.settings)?.validate()?;
    Ok(hook_response(&respond(event.content(), &settings)))
}

/// The hook's answer for an annotation's content tree.
pub fn respond(content: &[Node], settings: &Settings) -> HookResponse {
    let mut response = HookResponse::default();
    let mut column_found = false;
    let marker = settings.zero_rate_marker.to_uppercase();
    for cell in datapoints_by_schema_id(content, &settings.vat_rate_schema_id) {
        column_found = true;
        let Some(value) = cell.value().filter(|v| !v.is_empty()) else {
            continue;
        };
        if value.to_uppercase().contains(&marker) {
            response.operations.push(Operation::replace_value(
                cell.id,
                settings.zero_rate_value.clone(),
            ));
        }
    }
    if !column_found {
        response.messages.push(Message::error(
            None,
            format!(
                "Column with schema ID '{}' is missing.",
                settings.vat_rate_schema_id
            ),
        ));
    }
    response
}
