//! The whole request path (size check, verification, parsing, rules, recording, response)
//! as the Lambda and the local server run it, with the rejections only this hook gives (the
//! ones every hook gives are `hooks`').

use super::common;

use std::sync::Arc;

use common::{
    EMAIL_URL, SAMPLE, call_with, configured, imported_ids, sample_record, signed_to, with,
};
use record_store::InMemoryRecordStore;
use serde_json::json;

use crate::support::{SIGNATURE, assert_refused, fresh_idempotency_store, message, signature};

/// Calls the endpoint with a valid signature, recording in a store of its own.
async fn signed(body: &[u8]) -> (u16, serde_json::Value) {
    signed_to(Arc::new(InMemoryRecordStore::new()), body).await
}

#[test]
fn the_route_and_name_are_the_deployed_ones() {
    let endpoint = crate::support::recording(
        &rossum_functions::EMAIL_RECEIVED,
        &configured(),
        Arc::new(InMemoryRecordStore::new()),
        fresh_idempotency_store(),
    );
    assert_eq!(endpoint.route(), "/rossum/email");
    assert_eq!(endpoint.function(), "rossum-email-received");
}

#[tokio::test]
async fn a_signed_sample_gets_the_invoice_and_scan_and_the_supplier() {
    let answer = json!({
        "files": [{"id": "1", "values": []}, {"id": "3", "values": []}],
        "extracted_original_sender": {
            "email": "Jana.Novakova@stavby-novak.example",
            "name": "Jana Nováková"
        }
    });
    assert_eq!(signed(SAMPLE).await, (200, answer));
}

#[tokio::test]
async fn hook_settings_configure_the_triage_and_bad_settings_are_400() {
    for (settings, imported) in [
        (json!({"min_image_px": 40}), vec!["1", "2", "3"]),
        (
            json!({"ignored_mime_types": [], "ignored_extensions": ["jpg"]}),
            vec!["1", "4", "5"],
        ),
        // Null settings mean the defaults.
        (json!(null), vec!["1", "3"]),
    ] {
        let (status, body) = signed(&with(|p| p["settings"] = settings.clone())).await;
        assert_eq!(status, 200, "{settings}: {body}");
        assert_eq!(imported_ids(&body), imported, "{settings}");
    }

    for settings in [
        json!({"min_image_px": "big"}),
        json!({"ignored_extensions": [" . "]}),
    ] {
        let (status, body) = signed(&with(|p| p["settings"] = settings.clone())).await;
        assert_refused(status, &body, 400, "malformed_body");
        assert!(
            message(&body).contains("invalid hook settings"),
            "{settings}: {body}"
        );
    }
}

#[tokio::test]
async fn no_sender_is_answered_when_the_email_was_not_forwarded() {
    let not_forwarded = with(|p| {
        p["body"] = json!({
            "body_text_plain": "Dear customer,\n\ninvoice FV-2026-0457 attached.\n\nJana",
            "body_text_html": null
        })
    });
    assert_eq!(
        signed(&not_forwarded).await,
        (
            200,
            json!({"files": [{"id": "1", "values": []}, {"id": "3", "values": []}]})
        )
    );
}

#[tokio::test]
async fn the_email_is_recorded_once_however_often_it_is_delivered() {
    let store = Arc::new(InMemoryRecordStore::new());
    let (status, first) = signed_to(store.clone(), SAMPLE).await;
    assert_eq!(status, 200, "{first}");
    let (status, again) = signed_to(store.clone(), SAMPLE).await;
    assert_eq!(
        status, 200,
        "a redelivery is answered like the first: {again}"
    );
    assert_eq!(again, first);
    assert_eq!(store.email_count(), 1);

    let record = store.email(EMAIL_URL).expect("the email's record");
    assert_eq!(record, sample_record());
    assert_eq!(record.received_at.as_str(), "2026-11-16T10:03:31.482915Z");

    // A later delivery of the same email with other settings: the answer follows the
    // settings, the record stays the first one.
    let (status, body) = signed_to(
        store.clone(),
        &with(|p| {
            p["request_id"] = json!("5e6f7a8b-later");
            p["timestamp"] = json!("2026-11-16T10:09:00Z");
            p["settings"] = json!({"min_image_px": 40});
        }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(imported_ids(&body), ["1", "2", "3"]);
    assert_eq!(store.email_count(), 1);
    assert_eq!(store.email(EMAIL_URL), Some(record));

    // Another email is another record.
    let (status, _) = signed_to(
        store.clone(),
        &with(|p| p["email"] = json!("https://example.rossum.app/api/v1/emails/1204419")),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(store.email_count(), 2);
}

#[tokio::test]
async fn numeric_file_ids_and_an_email_without_a_forward_are_recorded_as_such() {
    let store = Arc::new(InMemoryRecordStore::new());
    let (status, body) = signed_to(
        store.clone(),
        &with(|p| {
            p["files"] = json!([
                {"id": 71, "filename": "a.pdf", "mime_type": "application/pdf"},
                {"id": 72, "filename": "b.ics", "mime_type": "text/calendar"}
            ]);
            p["body"] = json!({"body_text_plain": "Invoice attached.", "body_text_html": null});
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"files": [{"id": 71, "values": []}]}));
    let record = store.email(EMAIL_URL).unwrap();
    assert_eq!(record.files_imported, ["71"]);
    assert_eq!((record.files_total, record.files_dropped), (2, 1));
    assert_eq!(record.extracted_original_sender_email, None);
    assert_eq!(record.extracted_original_sender_name, None);
}

#[tokio::test]
async fn refused_deliveries_record_nothing() {
    let store = Arc::new(InMemoryRecordStore::new());
    let forged = signature("not the secret", SAMPLE);
    let headers = [(SIGNATURE, forged.as_str())];
    let (status, _, body) = call_with(&configured(), store.clone(), &headers, SAMPLE).await;
    assert_refused(status, &body, 401, "signature_mismatch");
    let (status, body) = signed_to(store.clone(), &with(|p| p["action"] = json!("sent"))).await;
    assert_refused(status, &body, 422, "wrong_event");
    let (status, body) = signed_to(
        store.clone(),
        &with(|p| p["settings"] = json!({"min_image_px": "big"})),
    )
    .await;
    assert_refused(status, &body, 400, "malformed_body");
    assert_eq!(store.email_count(), 0);
}

#[tokio::test]
async fn an_email_without_its_url_or_time_is_400() {
    let store = Arc::new(InMemoryRecordStore::new());
    for (edit, missing) in [
        (
            with(|p| {
                p.as_object_mut().unwrap().remove("email");
            }),
            "'email'",
        ),
        (with(|p| p["email"] = json!("  ")), "'email'"),
        (
            with(|p| {
                p.as_object_mut().unwrap().remove("timestamp");
            }),
            "'timestamp'",
        ),
        (with(|p| p["timestamp"] = json!("yesterday")), "'timestamp'"),
    ] {
        let (status, body) = signed_to(store.clone(), &edit).await;
        assert_refused(status, &body, 400, "malformed_body");
        assert!(message(&body).contains(missing), "{missing}: {body}");
    }
    assert_eq!(store.email_count(), 0);
}
