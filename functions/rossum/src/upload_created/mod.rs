//! `rossum-upload-created`: Rossum's `upload.created` hook, called when documents are uploaded
//! to a queue (through the API or as an email's attachments), before they are imported.
//!
//! The answer lists every file of the delivery by its `document` URL. A file whose document is
//! noise gets `prevent_importing: true` (with an `info` message saying why), so Rossum
//! creates no annotation for it: calendar invites, contact cards, cryptographic signatures and
//! images smaller than `min_image_px`. The triage and its hook `settings` are the ones
//! `rossum-email-received` applies to an email's attachments ([`attachment_triage`]).
//!
//! Everything else is imported: unknown types, images of unknown size, and any file whose
//! document object is not in the delivery (no evidence is no reason to drop an invoice). A
//! file Rossum already marked `prevent_importing` stays prevented.
//!
//! Nothing is stored but the delivery's idempotency record: Rossum retries `upload.created`,
//! and a retry is answered with the first answer.

/// The delivery and answer shapes, as `webhook_model` has them.
pub use webhook_model::rossum::upload as model;

use std::collections::HashMap;

use attachment_triage::Attachment;
use webhook_endpoint::rossum::checked_hook_settings;
use webhook_endpoint::{Body, Delivery, Response, WebhookError, json_response, parse_json};
use webhook_model::rossum::Message;

pub use attachment_triage::{Settings, Triage, triage};
pub use model::{FileDecision, UploadCreatedEvent, UploadDocument, UploadFile, UploadResponse};

/// The function's name: its Lambda binary, its registry entry, its log lines.
pub const NAME: &str = "rossum-upload-created";

pub const EVENT: &str = "upload";
pub const ACTION: &str = "created";

pub(crate) async fn handle(delivery: Delivery) -> Result<Response<Body>, WebhookError> {
    let event = parse_upload_created(&delivery)?;
    let settings = checked_hook_settings(&event.settings, Settings::validate)?;
    let response = respond(&event, &settings);
    // Counts only: file names and URLs stay out of the logs.
    let prevented = response
        .files
        .iter()
        .filter(|f| f.prevent_importing)
        .count();
    tracing::info!(
        function = NAME,
        files_total = response.files.len(),
        files_prevented = prevented,
        files_without_document = unmatched(&event),
        "upload triaged"
    );
    Ok(json_response(200, &response))
}

/// Parses the delivery and checks it is `upload.created`.
///
/// Another event is a [`WebhookError::WrongEvent`] (422) naming the expected one: a hook
/// subscribed to the wrong events is a configuration mistake to be shown.
fn parse_upload_created(delivery: &Delivery) -> Result<UploadCreatedEvent, WebhookError> {
    let event: UploadCreatedEvent = parse_json(delivery.body())?;
    webhook_endpoint::rossum::expect_event((&event.event, &event.action), (EVENT, ACTION))?;
    Ok(event)
}

/// The hook's answer for an upload: every file, in order, each imported or not.
pub fn respond(event: &UploadCreatedEvent, settings: &Settings) -> UploadResponse {
    let documents = Documents::new(event.documents.as_deref().unwrap_or_default());
    UploadResponse {
        files: event
            .files
            .iter()
            .map(|file| decide(file, documents.of(file), settings))
            .collect(),
    }
}

/// The decision for one file, given its document object when the delivery has it.
pub fn decide(
    file: &UploadFile,
    document: Option<&UploadDocument>,
    settings: &Settings,
) -> FileDecision {
    let verdict = document.map_or(Triage::Import, |d| triage(d, settings));
    let messages = document
        .and_then(|document| why_not(verdict, document, settings))
        .map(|reason| Message::info(None, reason))
        .into_iter()
        .collect();
    FileDecision {
        document: file.document.clone(),
        prevent_importing: verdict != Triage::Import || file.prevent_importing == Some(true),
        messages,
    }
}

/// Why a document is not imported; nothing for one that is.
fn why_not(verdict: Triage, document: &UploadDocument, settings: &Settings) -> Option<String> {
    let reason = match verdict {
        Triage::Import => return None,
        Triage::IgnoredMimeType => format!(
            "Not imported: its type {} is in the hook's ignored_mime_types (calendar invites, \
             contact cards, signatures).",
            document.mime_type().trim()
        ),
        Triage::IgnoredExtension => "Not imported: its file name ends in one of the hook's \
                                     ignored_extensions (calendar invites, contact cards, \
                                     signatures)."
            .to_owned(),
        Triage::SmallImage => format!(
            "Not imported: an image smaller than {} px (min_image_px), most likely a logo or \
             a signature image.",
            settings.min_image_px
        ),
    };
    Some(reason)
}

/// How many files have no document object in the delivery.
fn unmatched(event: &UploadCreatedEvent) -> usize {
    let documents = Documents::new(event.documents.as_deref().unwrap_or_default());
    event
        .files
        .iter()
        .filter(|f| documents.of(f).is_none())
        .count()
}

/// The delivery's document objects, found by URL or, failing that, by the id that ends the
/// file's document URL.
struct Documents<'a> {
    by_url: HashMap<&'a str, &'a UploadDocument>,
    by_id: HashMap<u64, &'a UploadDocument>,
}

impl<'a> Documents<'a> {
    fn new(documents: &'a [UploadDocument]) -> Self {
        let mut by_url = HashMap::new();
        let mut by_id = HashMap::new();
        // The first of repeated entries wins, as it would in a list search.
        for document in documents.iter().rev() {
            if let Some(url) = document.url.as_deref() {
                by_url.insert(normalised_url(url), document);
            }
            if let Some(id) = document.id {
                by_id.insert(id, document);
            }
        }
        Self { by_url, by_id }
    }

    fn of(&self, file: &UploadFile) -> Option<&'a UploadDocument> {
        let url = normalised_url(&file.document);
        self.by_url.get(url).copied().or_else(|| {
            let id = url.rsplit('/').next()?.parse::<u64>().ok()?;
            self.by_id.get(&id).copied()
        })
    }
}

/// A document URL without surrounding blanks and trailing slashes.
fn normalised_url(url: &str) -> &str {
    url.trim().trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    const SAMPLE: &[u8] = include_bytes!("../../../../events/payloads/rossum-upload-created.json");
    const DOCUMENTS: &str = "https://example.rossum.app/api/v1/documents";

    fn sample() -> UploadCreatedEvent {
        serde_json::from_slice(SAMPLE).expect("the sample payload parses")
    }

    fn edited(edit: impl FnOnce(&mut Value)) -> UploadCreatedEvent {
        let mut payload: Value = serde_json::from_slice(SAMPLE).unwrap();
        edit(&mut payload);
        serde_json::from_value(payload).unwrap()
    }

    fn prevented(response: &UploadResponse) -> Vec<(&str, bool)> {
        response
            .files
            .iter()
            .map(|f| {
                let id = f.document.rsplit('/').next().unwrap();
                (id, f.prevent_importing)
            })
            .collect()
    }

    #[test]
    fn the_sample_imports_the_invoice_only() {
        let response = respond(&sample(), &Settings::default());
        assert_eq!(
            serde_json::to_value(&response).unwrap(),
            json!({"files": [
                {"document": format!("{DOCUMENTS}/3312101"), "prevent_importing": false},
                {"document": format!("{DOCUMENTS}/3312102"), "prevent_importing": true,
                 "messages": [{"type": "info", "content": "Not imported: its type text/calendar is in the hook's ignored_mime_types (calendar invites, contact cards, signatures)."}]},
                {"document": format!("{DOCUMENTS}/3312103"), "prevent_importing": true,
                 "messages": [{"type": "info", "content": "Not imported: an image smaller than 300 px (min_image_px), most likely a logo or a signature image."}]},
                {"document": format!("{DOCUMENTS}/3312104"), "prevent_importing": true,
                 "messages": [{"type": "info", "content": "Not imported: its file name ends in one of the hook's ignored_extensions (calendar invites, contact cards, signatures)."}]}
            ]})
        );
    }

    #[test]
    fn each_sample_document_gets_the_email_functions_verdict() {
        let event = sample();
        let verdicts: Vec<(&str, Triage)> = event
            .documents
            .as_deref()
            .unwrap()
            .iter()
            .map(|d| (d.file_name(), triage(d, &Settings::default())))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("INV-2026-10873.pdf", Triage::Import),
                ("invite.ics", Triage::IgnoredMimeType),
                ("image001.png", Triage::SmallImage),
                ("Jana Novakova.vcf", Triage::IgnoredExtension),
            ]
        );
    }

    #[test]
    fn a_file_without_its_document_object_is_imported() {
        let event = edited(|p| {
            p["documents"].as_array_mut().unwrap().remove(1);
        });
        let response = respond(&event, &Settings::default());
        assert_eq!(
            prevented(&response),
            [
                ("3312101", false),
                ("3312102", false),
                ("3312103", true),
                ("3312104", true)
            ]
        );
        assert!(response.files[1].messages.is_empty());

        for documents in [json!(null), json!([])] {
            let event = edited(|p| p["documents"] = documents);
            let response = respond(&event, &Settings::default());
            assert!(response.files.iter().all(|f| !f.prevent_importing));
            assert_eq!(response.files.len(), 4, "every file is answered");
        }
        let event = edited(|p| {
            p.as_object_mut().unwrap().remove("documents");
        });
        assert!(
            respond(&event, &Settings::default())
                .files
                .iter()
                .all(|f| !f.prevent_importing)
        );
    }

    #[test]
    fn documents_are_found_by_url_or_by_the_id_ending_it() {
        // Another host and a trailing slash: the id still finds the calendar invite.
        let event = edited(|p| {
            p["files"][1]["document"] = json!("https://api.elis.example/api/v1/documents/3312102/");
            p["documents"][2]["url"] = Value::Null;
        });
        let response = respond(&event, &Settings::default());
        assert_eq!(
            prevented(&response),
            [
                ("3312101", false),
                ("", true),
                ("3312103", true),
                ("3312104", true)
            ]
        );
        assert_eq!(
            response.files[1].document, "https://api.elis.example/api/v1/documents/3312102/",
            "each file is named by its document URL as sent"
        );

        // A document object that matches no file changes nothing; order follows `files`.
        let event = edited(|p| {
            let documents = p["documents"].as_array_mut().unwrap();
            documents.reverse();
            documents.push(
                json!({"id": 1, "url": format!("{DOCUMENTS}/1"), "mime_type": "text/calendar"}),
            );
        });
        assert_eq!(
            respond(&event, &Settings::default()),
            respond(&sample(), &Settings::default())
        );
    }

    #[test]
    fn settings_are_the_email_functions() {
        let keep_logos = Settings {
            min_image_px: 40,
            ..Settings::default()
        };
        assert_eq!(
            prevented(&respond(&sample(), &keep_logos)),
            [
                ("3312101", false),
                ("3312102", true),
                ("3312103", false),
                ("3312104", true)
            ]
        );
        let nothing_ignored = Settings {
            min_image_px: 0,
            ignored_mime_types: vec![],
            ignored_extensions: vec![],
        };
        assert!(
            respond(&sample(), &nothing_ignored)
                .files
                .iter()
                .all(|f| !f.prevent_importing && f.messages.is_empty())
        );
        let drop_pdfs = Settings {
            ignored_extensions: vec!["PDF".to_owned()],
            ..Settings::default()
        };
        assert_eq!(
            prevented(&respond(&sample(), &drop_pdfs)),
            [
                ("3312101", true),
                ("3312102", true),
                ("3312103", true),
                ("3312104", false)
            ],
            "a list in the settings replaces the default list"
        );
    }

    #[test]
    fn an_image_of_unknown_size_is_imported() {
        let event = edited(|p| {
            let logo = p["documents"][2].as_object_mut().unwrap();
            logo.remove("width_px");
            logo.insert("height_px".to_owned(), Value::Null);
        });
        assert!(!respond(&event, &Settings::default()).files[2].prevent_importing);
    }

    #[test]
    fn a_file_already_prevented_stays_prevented() {
        let event = edited(|p| p["files"][0]["prevent_importing"] = json!(true));
        let decision = &respond(&event, &Settings::default()).files[0];
        assert!(decision.prevent_importing);
        assert!(decision.messages.is_empty(), "this hook did not decide it");
    }

    #[test]
    fn an_upload_without_files_is_answered_with_an_empty_list() {
        let event = edited(|p| {
            p["files"] = json!([]);
        });
        assert_eq!(
            serde_json::to_value(respond(&event, &Settings::default())).unwrap(),
            json!({"files": []})
        );
    }
}
