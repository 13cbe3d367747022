//! The whole request path (size check, verification, idempotency, parsing, triage, response)
//! as the Lambda and the local server run it, with every rejection a sender can cause.

use std::sync::Arc;

use idempotency::{IdempotencyStore, InMemoryIdempotencyStore};
use record_store::UnavailableRecordStore;
use serde_json::{Value, json};
use webhook_endpoint::EndpointConfig;
use webhook_test_support::{config, hex, respond, rossum_signature};
use webhook_verify::hmac_sha1;

const SECRET: &str = "hook-secret-under-test";
const SAMPLE: &[u8] = include_bytes!("../../../../../events/payloads/rossum-upload-created.json");
const DOCUMENTS: &str = "https://example.rossum.app/api/v1/documents";

fn configured() -> EndpointConfig {
    config(&[("ROSSUM_HOOK_SECRET", SECRET)])
}

/// Calls an endpoint de-duplicating in `store`; the status, `retry-after` and the JSON body.
async fn call_with(
    config: &EndpointConfig,
    store: Arc<dyn IdempotencyStore>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    let endpoint = rossum_functions::upload_created::endpoint(config, store);
    respond(&endpoint, headers, body).await
}

/// Calls an endpoint of its own (a fresh idempotency store).
async fn call(config: &EndpointConfig, headers: &[(&str, &str)], body: &[u8]) -> (u16, Value) {
    let store = Arc::new(InMemoryIdempotencyStore::new());
    let (status, _, body) = call_with(config, store, headers, body).await;
    (status, body)
}

/// Calls an endpoint of its own with a valid signature.
async fn signed(body: &[u8]) -> (u16, Value) {
    let signature = rossum_signature(SECRET, body);
    call(
        &configured(),
        &[("x-rossum-signature-sha256", &signature)],
        body,
    )
    .await
}

fn with(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut payload: Value = serde_json::from_slice(SAMPLE).unwrap();
    edit(&mut payload);
    serde_json::to_vec(&payload).unwrap()
}

fn assert_refused(status: u16, body: &Value, expected_status: u16, expected_code: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"], expected_code, "{body}");
    assert_eq!(body["messages"][0]["type"], "error", "{body}");
    assert!(
        body["messages"][0]["content"]
            .as_str()
            .is_some_and(|c| !c.is_empty())
    );
}

fn message(body: &Value) -> &str {
    body["messages"][0]["content"].as_str().unwrap()
}

/// `(document id, prevent_importing)` of every file answered, in order.
fn decisions(body: &Value) -> Vec<(String, bool)> {
    body["files"]
        .as_array()
        .expect("a files list")
        .iter()
        .map(|f| {
            let url = f["document"].as_str().unwrap();
            let id = url.strip_prefix(&format!("{DOCUMENTS}/")).unwrap_or(url);
            (id.to_owned(), f["prevent_importing"].as_bool().unwrap())
        })
        .collect()
}

fn expected(pairs: &[(&str, bool)]) -> Vec<(String, bool)> {
    pairs.iter().map(|(id, p)| ((*id).to_owned(), *p)).collect()
}

const SAMPLE_DECISIONS: [(&str, bool); 4] = [
    ("3312101", false),
    ("3312102", true),
    ("3312103", true),
    ("3312104", true),
];

#[test]
fn the_route_and_name_are_the_deployed_ones() {
    let endpoint = rossum_functions::upload_created::endpoint(
        &configured(),
        Arc::new(InMemoryIdempotencyStore::new()),
    );
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
            prevented["messages"][0]["content"]
                .as_str()
                .unwrap()
                .starts_with("Not imported: "),
            "{prevented}"
        );
    }
}

#[tokio::test]
async fn the_legacy_sha1_header_alone_is_accepted() {
    let legacy = format!("sha1={}", hex(&hmac_sha1(SECRET.as_bytes(), SAMPLE)));
    let (status, body) = call(&configured(), &[("X-Elis-Signature", &legacy)], SAMPLE).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(decisions(&body), expected(&SAMPLE_DECISIONS));
}

#[tokio::test]
async fn signature_failures_are_401_and_a_missing_secret_500() {
    let good = rossum_signature(SECRET, SAMPLE);
    let tampered = with(|p| p["documents"][0]["mime_type"] = json!("text/calendar"));
    let (status, body) = call(
        &configured(),
        &[("x-rossum-signature-sha256", &good)],
        &tampered,
    )
    .await;
    assert_refused(status, &body, 401, "signature_mismatch");

    let forged = rossum_signature("a guessed secret", SAMPLE);
    let (status, body) = call(
        &configured(),
        &[("x-rossum-signature-sha256", &forged)],
        SAMPLE,
    )
    .await;
    assert_refused(status, &body, 401, "signature_mismatch");

    let (status, body) = call(&configured(), &[], SAMPLE).await;
    assert_refused(status, &body, 401, "missing_signature");

    let (status, body) = call(
        &config(&[]),
        &[("x-rossum-signature-sha256", &good)],
        SAMPLE,
    )
    .await;
    assert_refused(status, &body, 500, "not_configured");
}

#[tokio::test]
async fn another_event_is_422_naming_the_expected_one() {
    let (status, body) = signed(&with(|p| {
        p["event"] = json!("email");
        p["action"] = json!("received");
    }))
    .await;
    assert_refused(status, &body, 422, "wrong_event");
    assert_eq!(
        message(&body),
        "this hook handles upload.created; it received email.received"
    );
    let (status, body) = signed(&with(|p| p["action"] = json!("updated"))).await;
    assert_refused(status, &body, 422, "wrong_event");
}

#[tokio::test]
async fn garbage_with_a_valid_signature_is_400() {
    for body in [
        b"{\"event\": \"upload\", \"action\": ".to_vec(),
        Vec::new(),
        with(|p| p["files"] = json!("not a list")),
        with(|p| p["documents"] = json!({"id": 1})),
        with(|p| {
            p["files"][0].as_object_mut().unwrap().remove("document");
        }),
        with(|p| {
            p.as_object_mut().unwrap().remove("event");
        }),
        with(|p| {
            p.as_object_mut().unwrap().remove("request_id");
        }),
    ] {
        let (status, answer) = signed(&body).await;
        assert_refused(status, &answer, 400, "malformed_body");
    }
}

#[tokio::test]
async fn hook_settings_are_the_email_functions_and_bad_ones_are_400_naming_them() {
    let (status, body) = signed(&with(|p| p["settings"] = json!({"min_image_px": 40}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        decisions(&body),
        expected(&[
            ("3312101", false),
            ("3312102", true),
            ("3312103", false),
            ("3312104", true)
        ])
    );

    let (status, body) =
        signed(&with(
            |p| p["settings"] = json!({"ignored_mime_types": [], "ignored_extensions": ["pdf"]}),
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        decisions(&body),
        expected(&[
            ("3312101", true),
            ("3312102", false),
            ("3312103", true),
            ("3312104", false)
        ])
    );

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

    let (status, body) = signed(&with(|p| p["settings"] = json!(null))).await;
    assert_eq!(status, 200, "null settings mean defaults");
    assert_eq!(decisions(&body), expected(&SAMPLE_DECISIONS));
}

#[tokio::test]
async fn a_file_without_its_document_object_is_imported() {
    let (status, body) = signed(&with(|p| {
        p["documents"].as_array_mut().unwrap().truncate(1);
    }))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        decisions(&body),
        expected(&[
            ("3312101", false),
            ("3312102", false),
            ("3312103", false),
            ("3312104", false)
        ])
    );
    let (status, body) = signed(&with(|p| p["documents"] = json!(null))).await;
    assert_eq!(status, 200, "{body}");
    assert!(decisions(&body).iter().all(|(_, prevented)| !prevented));
}

#[tokio::test]
async fn an_oversized_body_is_413_before_any_hashing() {
    let limited = config(&[
        ("ROSSUM_HOOK_SECRET", SECRET),
        ("WEBHOOK_MAX_BODY_BYTES", "1024"),
    ]);
    let signature = rossum_signature(SECRET, SAMPLE);
    let (status, body) = call(
        &limited,
        &[("x-rossum-signature-sha256", &signature)],
        SAMPLE,
    )
    .await;
    assert_refused(status, &body, 413, "payload_too_large");
}

#[tokio::test]
async fn a_retry_gets_the_first_answer_and_a_reused_request_id_is_409() {
    let store: Arc<dyn IdempotencyStore> = Arc::new(InMemoryIdempotencyStore::new());
    let headers = |body: &[u8]| rossum_signature(SECRET, body);
    let first = call_with(
        &configured(),
        store.clone(),
        &[("x-rossum-signature-sha256", &headers(SAMPLE))],
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
        &[("x-rossum-signature-sha256", &headers(&retry))],
        &retry,
    )
    .await;
    assert_eq!((again.0, &again.2), (200, &first.2), "the stored answer");

    let other = with(|p| p["documents"][0]["mime_type"] = json!("text/calendar"));
    let (status, _, body) = call_with(
        &configured(),
        store,
        &[("x-rossum-signature-sha256", &headers(&other))],
        &other,
    )
    .await;
    assert_refused(status, &body, 409, "idempotency_key_reused");
}

#[tokio::test]
async fn without_its_idempotency_records_the_answer_is_503_to_be_retried() {
    let store = Arc::new(UnavailableRecordStore::new(
        "the records table is not configured (RECORDS_TABLE is not set)",
    ));
    let signature = rossum_signature(SECRET, SAMPLE);
    let (status, retry_after, body) = call_with(
        &configured(),
        store,
        &[("x-rossum-signature-sha256", &signature)],
        SAMPLE,
    )
    .await;
    assert_refused(status, &body, 503, "temporarily_unavailable");
    assert!(retry_after.is_some(), "a 503 says when to retry");
    assert!(body.get("files").is_none(), "no triage without the guard");
}
