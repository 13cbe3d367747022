//! `rossum-email-received`: Rossum's `email.received` hook, called when an email arrives in a
//! queue's inbox, before its attachments are imported.
//!
//! The answer does two things, and the email is recorded:
//! - **Attachment triage.** Only attachments worth extracting are listed in `files`, which
//!   keeps Rossum from creating annotations for the others: images smaller than
//!   `min_image_px` in either dimension (logos, signature images), calendar invites, contact
//!   cards and cryptographic signatures. PDFs, office documents, larger images and unknown
//!   types are kept.
//! - **Forwarded sender.** When the body shows a forwarded or quoted message, the sender of
//!   that message is returned as `extracted_original_sender`, so the supplier rather than the
//!   colleague who forwarded the invoice becomes the email's sender.
//! - **Email record.** The email's metadata (its URL and id, queue, headers, the time of the
//!   event, the attachments kept and dropped, the forwarded sender) is written exactly once
//!   per email to the records table. A redelivery of the same email writes nothing and gets
//!   the same answer; when the table cannot be written the answer is 503, so that Rossum
//!   retries.
//!
//! The thresholds and lists come from the hook's `settings` ([`Settings`]); the triage and
//! its settings live in the `attachment-triage` crate, shared with other functions.

mod html;
/// The delivery and answer shapes, as `webhook_model` has them.
pub use webhook_model::rossum::email as model;
mod sender;

use std::sync::Arc;

use model::FileId;
use record_store::{EmailRecord, RecordStore, Timestamp};
use webhook_endpoint::rossum::checked_hook_settings;
use webhook_endpoint::{Body, Delivery, Response, WebhookError, json_response, parse_json};

pub use attachment_triage::{Settings, Triage, triage};
pub use model::{EmailReceivedEvent, EmailResponse, FileToImport, OriginalSender};
pub use sender::{forwarded_sender, original_sender};

/// The function's name: its Lambda binary, its registry entry, its log lines.
pub const NAME: &str = "rossum-email-received";

pub const EVENT: &str = "email";
pub const ACTION: &str = "received";

pub(crate) async fn handle(
    delivery: Delivery,
    records: Arc<dyn RecordStore>,
) -> Result<Response<Body>, WebhookError> {
    let event = parse_email_received(&delivery)?;
    let settings = checked_hook_settings(&event.settings, Settings::validate)?;
    let response = respond(&event, &settings);
    let email = email_record(&event, &response).map_err(WebhookError::MalformedBody)?;
    record(records.as_ref(), &email).await?;
    Ok(json_response(200, &response))
}

/// Writes the email's record; an email recorded before is left as it is. A store failure is
/// a 503, so that Rossum retries the delivery.
async fn record(records: &dyn RecordStore, email: &EmailRecord) -> Result<(), WebhookError> {
    let written = records.record_email(email).await?.as_log_str();
    // Ids and counts only: addresses, subjects and file names stay out of the logs.
    tracing::info!(
        function = NAME,
        email_id = email.email_id,
        files_total = email.files_total,
        files_imported = email.files_imported.len(),
        files_dropped = email.files_dropped,
        written,
        "email record"
    );
    Ok(())
}

/// Parses the delivery and checks it is `email.received`.
///
/// Another event is a [`WebhookError::WrongEvent`] (422) naming the expected one: a hook
/// subscribed to the wrong events is a configuration mistake to be shown.
fn parse_email_received(delivery: &Delivery) -> Result<EmailReceivedEvent, WebhookError> {
    let event: EmailReceivedEvent = parse_json(delivery.body())?;
    webhook_endpoint::rossum::expect_event((&event.event, &event.action), (EVENT, ACTION))?;
    Ok(event)
}

/// The record of an arrived email and of the answer given to it, or why the body cannot give
/// one (no `email` URL, no valid `timestamp`).
pub fn email_record(
    event: &EmailReceivedEvent,
    response: &EmailResponse,
) -> Result<EmailRecord, String> {
    let email_url = event
        .email
        .as_deref()
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .ok_or("email.received event without 'email'")?
        .to_owned();
    let received_at = Timestamp::of_delivery(event.timestamp.as_deref(), "email.received event")?;
    let files_imported: Vec<String> = response
        .files
        .iter()
        .map(|file| match &file.id {
            FileId::Number(id) => id.to_string(),
            FileId::Text(id) => id.clone(),
        })
        .collect();
    let files_total = event.files.len() as u64;
    let headers = &event.headers;
    let sender = response.extracted_original_sender.as_ref();
    Ok(EmailRecord {
        email_id: EmailRecord::id_from_url(&email_url),
        email_url,
        queue: event.queue.clone(),
        from: headers.from.clone(),
        to: headers.to.clone(),
        reply_to: headers.reply_to.clone(),
        subject: headers.subject.clone(),
        message_id: headers.message_id.clone(),
        date: headers.date.clone(),
        received_at,
        request_id: event.request_id.clone(),
        files_total,
        files_dropped: files_total.saturating_sub(files_imported.len() as u64),
        files_imported,
        extracted_original_sender_email: sender.map(|s| s.email.clone()),
        extracted_original_sender_name: sender.map(|s| s.name.clone()),
    })
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
        extracted_original_sender: original_sender(&event.body, event.headers.subject.as_deref()),
    }
}
