//! Attachment triage and the whole answer on a real-shaped `email.received` body.

use rossum_functions::email_received::model::{EmailFile, FileId};
use rossum_functions::email_received::{
    EmailReceivedEvent, OriginalSender, Settings, Triage, respond, triage,
};
use serde_json::json;

fn sample_event() -> EmailReceivedEvent {
    let bytes = include_bytes!("../../../../../events/payloads/rossum-email-received.json");
    serde_json::from_slice(bytes).expect("the sample payload parses")
}

fn file(filename: &str, mime_type: &str, size_px: Option<(f64, f64)>) -> EmailFile {
    serde_json::from_value(json!({
        "id": "9",
        "filename": filename,
        "mime_type": mime_type,
        "n_pages": 1,
        "width_px": size_px.map(|(w, _)| w),
        "height_px": size_px.map(|(_, h)| h),
        "document": "https://example.rossum.app/api/v1/documents/9"
    }))
    .unwrap()
}

fn imported_ids(event: &EmailReceivedEvent, settings: &Settings) -> Vec<FileId> {
    respond(event, settings)
        .files
        .into_iter()
        .map(|f| f.id)
        .collect()
}

fn ids(ids: &[&str]) -> Vec<FileId> {
    ids.iter()
        .map(|id| FileId::Text((*id).to_owned()))
        .collect()
}

#[test]
fn the_sample_keeps_the_invoice_and_the_scan_and_names_the_supplier() {
    let event = sample_event();
    let response = respond(&event, &Settings::default());
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        json!({
            "files": [{"id": "1", "values": []}, {"id": "3", "values": []}],
            "extracted_original_sender": {
                "email": "Jana.Novakova@stavby-novak.example",
                "name": "Jana Nováková"
            }
        })
    );
}

#[test]
fn each_sample_attachment_gets_its_reason() {
    let event = sample_event();
    let verdicts: Vec<(&str, Triage)> = event
        .files
        .iter()
        .map(|f| (f.filename.as_str(), triage(f, &Settings::default())))
        .collect();
    assert_eq!(
        verdicts,
        vec![
            ("FV-2026-0457.pdf", Triage::Import),
            ("image001.png", Triage::SmallImage),
            ("dodaci-list-DL-2026-1183.jpg", Triage::Import),
            ("invite.ics", Triage::IgnoredMimeType),
            ("smime.p7s", Triage::IgnoredMimeType),
        ]
    );
}

#[test]
fn an_image_is_small_when_either_side_is_below_the_minimum() {
    let settings = Settings::default();
    let verdict = |w, h| triage(&file("photo.jpg", "image/jpeg", Some((w, h))), &settings);
    assert_eq!(
        verdict(299.0, 3508.0),
        Triage::SmallImage,
        "a narrow banner"
    );
    assert_eq!(verdict(2480.0, 299.5), Triage::SmallImage, "a flat strip");
    assert_eq!(
        verdict(300.0, 300.0),
        Triage::Import,
        "the minimum itself is kept"
    );
    assert_eq!(
        triage(&file("photo.jpg", "image/jpeg", None), &settings),
        Triage::Import,
        "unknown dimensions are no evidence of a logo"
    );
}

#[test]
fn size_only_filters_images() {
    let settings = Settings::default();
    for (name, mime_type) in [
        ("note.pdf", "application/pdf"),
        (
            "prices.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("data.bin", "application/octet-stream"),
    ] {
        assert_eq!(
            triage(&file(name, mime_type, Some((120.0, 40.0))), &settings),
            Triage::Import,
            "{name}"
        );
    }
}

#[test]
fn ignored_types_and_extensions_match_in_any_case_and_with_parameters() {
    let settings = Settings::default();
    let verdict = |name, mime_type| triage(&file(name, mime_type, None), &settings);
    assert_eq!(
        verdict("meeting", "Text/Calendar; method=REQUEST; charset=UTF-8"),
        Triage::IgnoredMimeType
    );
    assert_eq!(verdict("jan.vcf", "text/x-vcard"), Triage::IgnoredMimeType);
    assert_eq!(
        verdict("signature.asc", "application/pgp-signature"),
        Triage::IgnoredMimeType
    );
    // Mail clients often label these generically; the name still gives them away.
    assert_eq!(
        verdict("INVITE.ICS", "application/octet-stream"),
        Triage::IgnoredExtension
    );
    assert_eq!(verdict("smime.p7s ", ""), Triage::IgnoredExtension);
    assert_eq!(
        verdict("p7s-report.pdf", "application/pdf"),
        Triage::Import,
        "only the ending counts"
    );
}

#[test]
fn settings_replace_the_defaults() {
    let event = sample_event();

    let keep_logos = Settings {
        min_image_px: 40,
        ..Settings::default()
    };
    assert_eq!(
        imported_ids(&event, &keep_logos),
        ids(&["1", "2", "3"]),
        "the 120x40 logo is no longer below the minimum"
    );
    let only_large_images = Settings {
        min_image_px: 2500,
        ..Settings::default()
    };
    assert_eq!(
        imported_ids(&event, &only_large_images),
        ids(&["1"]),
        "the 2480 px wide scan is dropped, the PDF is no image"
    );

    let keep_invites = Settings {
        ignored_mime_types: vec!["application/pkcs7-signature".to_owned()],
        ignored_extensions: vec!["p7s".to_owned()],
        ..Settings::default()
    };
    assert_eq!(imported_ids(&event, &keep_invites), ids(&["1", "3", "4"]));

    let drop_jpegs = Settings {
        ignored_extensions: vec!["JPG".to_owned(), ".ics".to_owned()],
        ..Settings::default()
    };
    assert_eq!(imported_ids(&event, &drop_jpegs), ids(&["1"]));
}

#[test]
fn settings_are_read_from_the_hook_with_defaults_for_missing_keys() {
    let settings: Settings =
        serde_json::from_value(json!({"min_image_px": 50, "unrelated": true})).unwrap();
    assert_eq!(
        settings,
        Settings {
            min_image_px: 50,
            ..Settings::default()
        }
    );
    assert_eq!(
        Settings::default().ignored_mime_types,
        [
            "text/calendar",
            "application/ics",
            "application/pkcs7-signature",
            "application/x-pkcs7-signature",
            "application/pgp-signature",
            "text/vcard",
            "text/x-vcard",
        ]
    );
    assert_eq!(
        Settings::default().ignored_extensions,
        [".ics", ".vcf", ".p7s", ".asc"]
    );
}

#[test]
fn numeric_file_ids_are_answered_as_numbers() {
    let mut event = sample_event();
    event.files[0].id = FileId::Number(81);
    let response = serde_json::to_value(respond(&event, &Settings::default())).unwrap();
    assert_eq!(response["files"][0], json!({"id": 81, "values": []}));
}

#[test]
fn an_email_without_attachments_or_forward_answers_an_empty_list_only() {
    let event: EmailReceivedEvent = serde_json::from_value(json!({
        "event": "email",
        "action": "received",
        "files": [],
        "headers": {"from": "Jana <jana@stavby-novak.example>"},
        "body": {"body_text_plain": "From: Jana <jana@stavby-novak.example>\n\nInvoice attached.",
                 "body_text_html": null}
    }))
    .unwrap();
    let response = respond(&event, &Settings::default());
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        json!({"files": []}),
        "a From: line that is not inside a forwarded message is not a forwarded sender"
    );
    assert_eq!(response.extracted_original_sender, None::<OriginalSender>);
}
