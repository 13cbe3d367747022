//! The whole request path (size check, verification, parsing, rules, response) as the Lambda
//! and the local server run it, with every rejection a sender can cause.

use std::sync::Arc;

use serde_json::{Value, json};
use vendor_matching::InMemoryVendorStore;
use webhook_endpoint::EndpointConfig;
use webhook_test_support::{config, hex, rossum_signature};
use webhook_verify::{hmac_sha1, hmac_sha256};

const SECRET: &str = "hook-secret-under-test";
const SAMPLE: &[u8] =
    include_bytes!("../../../../../events/payloads/rossum-annotation-updated.json");

fn configured() -> EndpointConfig {
    config(&[("ROSSUM_HOOK_SECRET", SECRET)])
}

fn sha256(body: &[u8]) -> String {
    rossum_signature(SECRET, body)
}

async fn call(config: &EndpointConfig, headers: &[(&str, &str)], body: &[u8]) -> (u16, Value) {
    let vendors = Arc::new(InMemoryVendorStore::new([]));
    let endpoint = rossum_functions::annotation_updated::endpoint(config, vendors);
    webhook_test_support::call(&endpoint, headers, body).await
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

#[tokio::test]
async fn a_signed_sample_gets_the_seed_operations() {
    let (status, body) = signed(SAMPLE).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({
            "messages": [],
            "operations": [
                {"op": "replace", "id": 6601015, "value": {"content": {"value": "0.0"}}},
                {"op": "replace", "id": 6601035, "value": {"content": {"value": "0.0"}}}
            ]
        })
    );
}

#[tokio::test]
async fn the_legacy_sha1_header_alone_is_accepted() {
    let legacy = format!("sha1={}", hex(&hmac_sha1(SECRET.as_bytes(), SAMPLE)));
    let (status, body) = call(&configured(), &[("X-Elis-Signature", &legacy)], SAMPLE).await;
    assert_eq!(status, 200);
    assert_eq!(body["operations"].as_array().unwrap().len(), 2);

    let strict = config(&[
        ("ROSSUM_HOOK_SECRET", SECRET),
        ("ROSSUM_ALLOW_LEGACY_SHA1", "false"),
    ]);
    let (status, body) = call(&strict, &[("X-Elis-Signature", &legacy)], SAMPLE).await;
    assert_refused(status, &body, 401, "legacy_signature_disabled");
}

#[tokio::test]
async fn every_action_of_the_hook_is_accepted() {
    for action in ["updated", "user_update", "started"] {
        let (status, _) = signed(&with(|p| p["action"] = json!(action))).await;
        assert_eq!(status, 200, "{action}");
    }
}

#[tokio::test]
async fn signature_failures_are_401_with_the_reason() {
    let good = sha256(SAMPLE);
    let mut tampered = SAMPLE.to_vec();
    let at = tampered.windows(4).position(|w| w == b"ZERO").unwrap();
    tampered[at] = b'X';
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

    let (status, body) = call(
        &configured(),
        &[("x-rossum-signature-sha256", "sha256=")],
        SAMPLE,
    )
    .await;
    assert_refused(status, &body, 401, "malformed_signature");
    assert_eq!(
        body["messages"][0]["content"],
        "malformed x-rossum-signature-sha256 header: empty signature"
    );
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
async fn garbage_with_a_valid_signature_is_400() {
    let (status, body) = signed(b"{\"event\": \"annotation_content\", \"action\": ").await;
    assert_refused(status, &body, 400, "malformed_body");
    let (status, body) = signed(b"").await;
    assert_refused(status, &body, 400, "malformed_body");
    let (status, body) = signed(&with(|p| p["annotation"]["content"] = json!("not a tree"))).await;
    assert_refused(status, &body, 400, "malformed_body");
    let (status, body) = signed(&with(|p| {
        p.as_object_mut().unwrap().remove("annotation");
    }))
    .await;
    assert_refused(status, &body, 400, "malformed_body");
}

#[tokio::test]
async fn another_event_or_action_is_422_in_rossums_error_format() {
    let (status, body) = signed(&with(|p| p["action"] = json!("export"))).await;
    assert_refused(status, &body, 422, "wrong_event");
    assert_eq!(
        body["messages"][0]["content"],
        "this hook handles annotation_content.updated, annotation_content.user_update, \
         annotation_content.started; it received annotation_content.export"
    );
    let (status, body) = signed(&with(|p| {
        p["event"] = json!("annotation_status");
        p["action"] = json!("changed");
    }))
    .await;
    assert_refused(status, &body, 422, "wrong_event");
}

#[tokio::test]
async fn hook_settings_configure_the_rule_and_bad_settings_are_400() {
    let (status, body) = signed(&with(|p| {
        p["settings"] = json!({"vat_rate_schema_id": "item_tax_code"})
    }))
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["messages"][0]["content"],
        "Column with schema ID 'item_tax_code' is missing."
    );

    let (status, body) = signed(&with(|p| p["settings"] = json!({"vat_rate_schema_id": 7}))).await;
    assert_refused(status, &body, 400, "malformed_body");
    let (status, body) = signed(&with(|p| p["settings"] = json!({"zero_rate_marker": ""}))).await;
    assert_refused(status, &body, 400, "malformed_body");

    let (status, _) = signed(&with(|p| p["settings"] = json!(null))).await;
    assert_eq!(status, 200, "null settings mean defaults");
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
