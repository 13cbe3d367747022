//! `rossum-email-received`: Rossum's `email.received` hook, called when an email arrives in a
//! queue's inbox, before its attachments are imported.
//!
//! The answer does two things:
//! - **Attachment triage.** Only attachments worth extracting are listed in `files`, which
//!   keeps Rossum from creating annotations for the others: images smaller than
//!   `min_image_px` in either dimension (logos, signature images), calendar invites, contact
//!   cards and cryptographic signatures. PDFs, office documents, larger images and unknown
//!   types are kept.
//! - **Forwarded sender.** When the body shows a forwarded or quoted message, the sender of
//!   that message is returned as `extracted_original_sender`, so the supplier rather than the
//!   colleague who forwarded the invoice becomes the email's sender.
//!
//! The thresholds and lists come from the hook's `settings`, with the defaults below.

mod attachments;
mod html;
pub mod model;
mod sender;

use serde::Deserialize;
use webhook_endpoint::rossum::hook_settings;
use webhook_endpoint::{
    Body, Delivery, Endpoint, EndpointConfig, Response, Verifier, WebhookError, json_response,
    parse_json,
};

pub use attachments::{Triage, triage};
pub use model::{EmailReceivedEvent, EmailResponse, FileToImport, OriginalSender};
pub use sender::{forwarded_sender, original_sender};

pub const FUNCTION_NAME: &str = "rossum-email-received";
pub const ROUTE: &str = "/rossum/email";
pub const EVENT: &str = "email";
pub const ACTION: &str = "received";

/// Per-hook configuration, read from the Rossum hook's `settings` object. A list given in the
/// settings replaces the default list rather than adding to it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Images narrower or lower than this many pixels are not imported; 0 keeps them all.
    pub min_image_px: u32,
    /// MIME types never imported (any case, parameters such as `; method=REQUEST` ignored).
    pub ignored_mime_types: Vec<String>,
    /// File name endings never imported (any case, with or without the leading dot).
    pub ignored_extensions: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            min_image_px: 300,
            ignored_mime_types: [
                "text/calendar",
                "application/ics",
                "application/pkcs7-signature",
                "application/x-pkcs7-signature",
                "application/pgp-signature",
                "text/vcard",
                "text/x-vcard",
            ]
            .map(String::from)
            .to_vec(),
            ignored_extensions: [".ics", ".vcf", ".p7s", ".asc"].map(String::from).to_vec(),
        }
    }
}

impl Settings {
    fn validate(self) -> Result<Self, WebhookError> {
        // A blank entry is a typo that would silently match nothing useful: refuse it to get it fixed.
        let blank = |entries: &[String]| {
            entries
                .iter()
                .any(|e| e.trim().trim_start_matches('.').is_empty())
        };
        if blank(&self.ignored_mime_types) || blank(&self.ignored_extensions) {
            return Err(WebhookError::MalformedBody(
                "invalid hook settings: ignored_mime_types and ignored_extensions must not \
                 contain empty entries"
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
    let event = parse_email_received(&delivery)?;
    let settings: Settings = hook_settings::<Settings>(&event.settings)?.validate()?;
    Ok(json_response(200, &respond(&event, &settings)))
}

/// Parses the delivery and checks it is `email.received`.
///
/// Another event is a [`WebhookError::WrongEvent`] (422) naming the expected one: a hook
/// subscribed to the wrong events is a configuration mistake to be shown.
fn parse_email_received(delivery: &Delivery) -> Result<EmailReceivedEvent, WebhookError> {
    let event: EmailReceivedEvent = parse_json(delivery.body())?;
    if event.event != EVENT || event.action != ACTION {
        return Err(WebhookError::WrongEvent(format!(
            "this hook handles {EVENT}.{ACTION}; it received {}",
            event.event_type()
        )));
    }
    Ok(event)
}

/// The hook's answer for an arrived email.
pub fn respond(event: &EmailReceivedEvent, settings: &Settings) -> EmailResponse {
    EmailResponse {
        files: event
            .files
            .iter()
            .filter(|file| triage(file, settings) == Triage::Import)
            .map(|file| FileToImport::new(file.id.clone()))
            .collect(),
        extracted_original_sender: original_sender(&event.body),
    }
}
