//! The whole request path (size check, verification, parsing, rules, response) as the Lambda
//! and the local server run it, with every rejection a sender can cause.

use serde_json::{Value, json};
use webhook_endpoint::{Body, EndpointConfig, Request, SecretSource};
use webhook_verify::{hmac_sha1, hmac_sha256};

const SECRET: &str = "hook-secret-under-test";
const SAMPLE: &[u8] = include_bytes!("../../../events/payloads/rossum-email-received.json");

fn config(vars: &[(&str, &str)]) -> EndpointConfig {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    EndpointConfig::from_lookup(SecretSource::Environment, move |name| {
        vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
}

fn configured() -> EndpointConfig {
    config(&[("ROSSUM_HOOK_SECRET", SECRET)])
}

fn sha256(body: &[u8]) -> String {
    format!("sha256={}", hex(&hmac_sha256(SECRET.as_bytes(), body)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn request(headers: &[(&str, &str)], body: &[u8]) -> Request {
    let mut builder = http::Request::builder()
        .method("POST")
        .uri(rossum_email_received::ROUTE);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::Binary(body.to_vec())).unwrap()
}

async fn call(config: &EndpointConfig, headers: &[(&str, &str)], body: &[u8]) -> (u16, Value) {
    let response = rossum_email_received::endpoint(config)
        .handle(request(headers, body))
        .await;
    assert_eq!(response.headers()["content-type"], "application/json");
    let status = response.status().as_u16();
    let body: Value = serde_json::from_slice(response.body()).expect("every answer is JSON");
    (status, body)
}

async fn signed(body: &[u8]) -> (u16, Value) {
    call(
        &configured(),
        &[("x-rossum-signature-sha256", &sha256(body))],
        body,
    )
    .await
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

fn with(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut payload: Value = serde_json::from_slice(SAMPLE).unwrap();
    edit(&mut payload);
    serde_json::to_vec(&payload).unwrap()
}

fn imported_ids(body: &Value) -> Vec<&str> {
    body["files"]
        .as_array()
        .expect("a files list")
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect()
}

#[test]
fn the_route_and_name_are_the_deployed_ones() {
    let endpoint = rossum_email_received::endpoint(&configured());
    assert_eq!(endpoint.route(), "/rossum/email");
    assert_eq!(endpoint.function(), "rossum-email-received");
}

#[tokio::test]
async fn a_signed_sample_gets_the_invoice_and_scan_and_the_supplier() {
    let (status, body) = signed(SAMPLE).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({
            "files": [{"id": "1", "values": []}, {"id": "3", "values": []}],
            "extracted_original_sender": {
                "email": "Jana.Novakova@stavby-novak.example",
                "name": "Jana Nováková"
            }
        })
    );
}

#[tokio::test]
async fn the_legacy_sha1_header_alone_is_accepted() {
    let legacy = format!("sha1={}", hex(&hmac_sha1(SECRET.as_bytes(), SAMPLE)));
    let (status, body) = call(&configured(), &[("X-Elis-Signature", &legacy)], SAMPLE).await;
    assert_eq!(status, 200);
    assert_eq!(imported_ids(&body), ["1", "3"]);
}

#[tokio::test]
async fn signature_failures_are_401_with_the_reason() {
    let good = sha256(SAMPLE);
    let tampered = with(|p| p["files"][1]["width_px"] = json!(1200.0));
    let (status, body) = call(
        &configured(),
        &[("x-rossum-signature-sha256", &good)],
        &tampered,
    )
    .await;
    assert_refused(status, &body, 401, "signature_mismatch");

    let wrong_secret = format!("sha256={}", hex(&hmac_sha256(b"not the secret", SAMPLE)));
    let (status, body) = call(
        &configured(),
        &[("x-rossum-signature-sha256", &wrong_secret)],
        SAMPLE,
    )
    .await;
    assert_refused(status, &body, 401, "signature_mismatch");

    let (status, body) = call(
        &configured(),
        &[("content-type", "application/json")],
        SAMPLE,
    )
    .await;
    assert_refused(status, &body, 401, "missing_signature");
}

#[tokio::test]
async fn without_a_configured_secret_everything_is_refused_with_500() {
    let (status, body) = call(
        &config(&[]),
        &[("x-rossum-signature-sha256", &sha256(SAMPLE))],
        SAMPLE,
    )
    .await;
    assert_refused(status, &body, 500, "not_configured");
}

#[tokio::test]
async fn another_event_is_422_naming_the_expected_one() {
    let (status, body) = signed(&with(|p| {
        p["event"] = json!("annotation_content");
        p["action"] = json!("updated");
    }))
    .await;
    assert_refused(status, &body, 422, "wrong_event");
    assert_eq!(
        body["messages"][0]["content"],
        "this hook handles email.received; it received annotation_content.updated"
    );

    let (status, body) = signed(&with(|p| p["action"] = json!("sent"))).await;
    assert_refused(status, &body, 422, "wrong_event");
    let (status, body) = signed(&with(|p| p["event"] = json!("upload"))).await;
    assert_refused(status, &body, 422, "wrong_event");
}

#[tokio::test]
async fn garbage_with_a_valid_signature_is_400() {
    let (status, body) = signed(b"{\"event\": \"email\", \"action\": ").await;
    assert_refused(status, &body, 400, "malformed_body");
    let (status, body) = signed(b"").await;
    assert_refused(status, &body, 400, "malformed_body");
    let (status, body) = signed(&with(|p| p["files"] = json!("not a list"))).await;
    assert_refused(status, &body, 400, "malformed_body");
    let (status, body) = signed(&with(|p| {
        p["files"][0].as_object_mut().unwrap().remove("id");
    }))
    .await;
    assert_refused(status, &body, 400, "malformed_body");
    let (status, body) = signed(&with(|p| {
        p.as_object_mut().unwrap().remove("event");
    }))
    .await;
    assert_refused(status, &body, 400, "malformed_body");
}

#[tokio::test]
async fn hook_settings_configure_the_triage_and_bad_settings_are_400() {
    let (status, body) = signed(&with(|p| p["settings"] = json!({"min_image_px": 40}))).await;
    assert_eq!(status, 200);
    assert_eq!(imported_ids(&body), ["1", "2", "3"]);

    let (status, body) =
        signed(&with(
            |p| p["settings"] = json!({"ignored_mime_types": [], "ignored_extensions": ["jpg"]}),
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(imported_ids(&body), ["1", "4", "5"]);

    let (status, body) = signed(&with(|p| p["settings"] = json!({"min_image_px": "big"}))).await;
    assert_refused(status, &body, 400, "malformed_body");
    assert!(
        body["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("invalid hook settings"),
        "{body}"
    );
    let (status, body) = signed(&with(|p| {
        p["settings"] = json!({"ignored_extensions": [" . "]})
    }))
    .await;
    assert_refused(status, &body, 400, "malformed_body");

    let (status, body) = signed(&with(|p| p["settings"] = json!(null))).await;
    assert_eq!(status, 200, "null settings mean defaults");
    assert_eq!(imported_ids(&body), ["1", "3"]);
}

#[tokio::test]
async fn no_sender_is_answered_when_the_email_was_not_forwarded() {
    let (status, body) = signed(&with(|p| {
        p["body"] = json!({
            "body_text_plain": "Dear customer,\n\ninvoice FV-2026-0457 attached.\n\nJana",
            "body_text_html": null
        })
    }))
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"files": [{"id": "1", "values": []}, {"id": "3", "values": []}]})
    );
}

#[tokio::test]
async fn an_oversized_body_is_413_before_any_hashing() {
    let limited = config(&[
        ("ROSSUM_HOOK_SECRET", SECRET),
        ("WEBHOOK_MAX_BODY_BYTES", "1024"),
    ]);
    let (status, body) = call(
        &limited,
        &[("x-rossum-signature-sha256", &sha256(SAMPLE))],
        SAMPLE,
    )
    .await;
    assert_refused(status, &body, 413, "payload_too_large");
}
