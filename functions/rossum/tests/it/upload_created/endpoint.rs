//! The whole request path (size check, verification, idempotency, parsing, triage, response)
//! as the Lambda and the local server run it, with the rejections only this hook gives (the
//! ones every hook gives are `hooks`').

use super::common;

use std::sync::Arc;

use common::{DOCUMENTS, SAMPLE, SAMPLE_DECISIONS, decisions, expected, with};
use idempotency::{IdempotencyStore, InMemoryIdempotencyStore};
use serde_json::{Value, json};
use webhook_endpoint::EndpointConfig;
use webhook_test_support::respond;

use crate::support::{SIGNATURE, assert_refused, configured, given, message, signature};

/// Calls an endpoint de-duplicating in `store`; the status, `retry-after` and the JSON body.
async fn call_with(
    config: &EndpointConfig,
    store: Arc<dyn IdempotencyStore>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    let endpoint = rossum_functions::UPLOAD_CREATED.build(config, &given().with_idempotency(store));
    respond(&endpoint, headers, body).await
}

/// Calls an endpoint of its own (a fresh idempotency store) with a valid signature.
async fn signed(body: &[u8]) -> (u16, Value) {
    let store = Arc::new(InMemoryIdempotencyStore::new());
    let signature = signature(crate::support::SECRET, body);
    let headers = [(SIGNATURE, signature.as_str())];
    let (status, _, body) = call_with(&configured(), store, &headers, body).await;
    (status, body)
}

#[test]
fn the_route_and_name_are_the_deployed_ones() {
    let store = Arc::new(InMemoryIdempotencyStore::new());
    let endpoint =
        rossum_functions::UPLOAD_CREATED.build(&configured(), &given().with_idempotency(store));
    assert_eq!(endpoint.route(), "/rossum/upload");
    assert_eq!(endpoint.function(), "rossum-upload-created");
}

#[tokio::test]
async fn a_signed_sample_imports_the_invoice_and_prevents_the_rest() {
    let (status, body) = signed(SAMPLE).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(decisions(&body), expected(&SAMPLE_DECISIONS));
    let files = body["files"].as_array().unwrap();
    assert_eq!(
        files[0],
        json!({"document": format!("{DOCUMENTS}/3312101"), "prevent_importing": false}),
        "the invoice is answered without messages"
    );
    for prevented in &files[1..] {
        assert_eq!(prevented["messages"][0]["type"], "info", "{prevented}");
        assert!(
            message(prevented).starts_with("Not imported: "),
            "{prevented}"
        );
    }
}

#[tokio::test]
async fn hook_settings_are_the_email_functions_and_bad_ones_are_400_naming_them() {
    for (settings, triage) in [
        (
            json!({"min_image_px": 40}),
            [
                ("3312101", false),
                ("3312102", true),
                ("3312103", false),
                ("3312104", true),
            ],
        ),
        (
            json!({"ignored_mime_types": [], "ignored_extensions": ["pdf"]}),
            [
                ("3312101", true),
                ("3312102", false),
                ("3312103", true),
                ("3312104", false),
            ],
        ),
        // Null settings mean the defaults.
        (json!(null), SAMPLE_DECISIONS),
    ] {
        let (status, body) = signed(&with(|p| p["settings"] = settings.clone())).await;
        assert_eq!(status, 200, "{settings}: {body}");
        assert_eq!(decisions(&body), expected(&triage), "{settings}");
    }

    for (settings, name) in [
        (json!({"min_image_px": "big"}), "min_image_px"),
        (
            json!({"ignored_mime_types": "text/calendar"}),
            "ignored_mime_types",
        ),
        (json!({"ignored_extensions": [" . "]}), "ignored_extensions"),
    ] {
        let (status, body) = signed(&with(|p| p["settings"] = settings.clone())).await;
        assert_refused(status, &body, 400, "malformed_body");
        assert!(
            message(&body).contains(&format!("invalid hook settings: {name}")),
            "{settings}: {body}"
        );
    }
}

#[tokio::test]
async fn a_file_without_its_document_object_is_imported() {
    let (status, body) = signed(&with(|p| {
        p["documents"].as_array_mut().unwrap().truncate(1);
    }))
    .await;
    assert_eq!(status, 200, "{body}");
    let none_prevented = SAMPLE_DECISIONS.map(|(id, _)| (id, false));
    assert_eq!(decisions(&body), expected(&none_prevented));
    let (status, body) = signed(&with(|p| p["documents"] = json!(null))).await;
    assert_eq!(status, 200, "{body}");
    assert!(decisions(&body).iter().all(|(_, prevented)| !prevented));
}

#[tokio::test]
async fn a_retry_gets_the_first_answer_and_a_reused_request_id_is_409() {
    let store: Arc<dyn IdempotencyStore> = Arc::new(InMemoryIdempotencyStore::new());
    let headers = |body: &[u8]| signature(crate::support::SECRET, body);
    let first = call_with(
        &configured(),
        store.clone(),
        &[(SIGNATURE, &headers(SAMPLE))],
        SAMPLE,
    )
    .await;
    assert_eq!(first.0, 200, "{}", first.2);

    // Rossum's retry: a new timestamp and token, the same request_id and content.
    let retry = with(|p| {
        p["timestamp"] = json!("2026-11-16T10:04:01.230518Z");
        p["rossum_authorization_token"] = json!("0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c");
    });
    let again = call_with(
        &configured(),
        store.clone(),
        &[(SIGNATURE, &headers(&retry))],
        &retry,
    )
    .await;
    assert_eq!((again.0, &again.2), (200, &first.2), "the stored answer");

    let other = with(|p| p["documents"][0]["mime_type"] = json!("text/calendar"));
    let (status, _, body) = call_with(
        &configured(),
        store,
        &[(SIGNATURE, &headers(&other))],
        &other,
    )
    .await;
    assert_refused(status, &body, 409, "idempotency_key_reused");
}
