//! The whole request path (size check, verification, parsing, rules, response) as the Lambda
//! and the local server run it, with the rejections only this hook gives (the ones every hook
//! gives are `hooks`').

use std::sync::Arc;

use serde_json::{Value, json};
use vendor_matching::InMemoryVendorStore;

use crate::support::{SECRET, SIGNATURE, assert_refused, configured, edited, signature};

pub const SAMPLE: &[u8] =
    include_bytes!("../../../../../events/payloads/rossum-annotation-updated.json");

/// Its endpoint under `config`, matching against no vendors.
pub fn endpoint(config: &webhook_endpoint::EndpointConfig) -> webhook_endpoint::Endpoint {
    let vendors = Arc::new(InMemoryVendorStore::new([]));
    rossum_functions::ANNOTATION_UPDATED
        .build(config, &crate::support::given().with_vendors(vendors))
}

async fn signed(body: &[u8]) -> (u16, Value) {
    let signature = signature(SECRET, body);
    let headers = [(SIGNATURE, signature.as_str())];
    webhook_test_support::call(&endpoint(&configured()), &headers, body).await
}

fn with(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    edited(SAMPLE, edit)
}

#[tokio::test]
async fn a_signed_sample_gets_the_seed_operations() {
    let seeded = json!({
        "messages": [],
        "operations": [
            {"op": "replace", "id": 6601015, "value": {"content": {"value": "0.0"}}},
            {"op": "replace", "id": 6601035, "value": {"content": {"value": "0.0"}}}
        ]
    });
    assert_eq!(signed(SAMPLE).await, (200, seeded));
}

#[tokio::test]
async fn every_action_of_the_hook_is_accepted() {
    for action in ["updated", "user_update", "started"] {
        let (status, _) = signed(&with(|p| p["action"] = json!(action))).await;
        assert_eq!(status, 200, "{action}");
    }
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
