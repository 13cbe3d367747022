//! The rules on the real-shaped sample annotation and sample vendor file.

use std::path::Path;

use rossum_rules::{
    Settings, match_vendor_datapoint, matching_inputs_changed, missing_required_fields, sum_checks,
    zero_vat_rates,
};
use serde_json::{Value, json};
use vendor_matching::{InMemoryVendorStore, QueryKind};
use webhook_model::rossum::{AnnotationContentEvent, MessageType, Node, Operation};

const VENDOR_MATCH_ID: u64 = 6600015;
const AMOUNT_TOTAL_ID: u64 = 6600023;

fn sample() -> Value {
    serde_json::from_slice(include_bytes!(
        "../../../events/payloads/rossum-annotation-updated.json"
    ))
    .unwrap()
}

/// The sample with the datapoints of `schema_id` set to `value`.
fn with_values(changes: &[(&str, &str)]) -> Vec<Node> {
    let mut payload = sample();
    fn visit(node: &mut Value, changes: &[(&str, &str)]) {
        if let Some((_, value)) = changes.iter().find(|(id, _)| node["schema_id"] == *id) {
            node["content"]["value"] = json!(value);
            node["content"]["normalized_value"] = Value::Null;
        }
        if let Some(children) = node.get_mut("children").and_then(Value::as_array_mut) {
            children.iter_mut().for_each(|c| visit(c, changes));
        }
    }
    payload["annotation"]["content"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .for_each(|n| visit(n, changes));
    let event: AnnotationContentEvent = serde_json::from_value(payload).unwrap();
    event.annotation.unwrap().content
}

fn vendors() -> InMemoryVendorStore {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/master-data/vendors.csv");
    InMemoryVendorStore::load(&path).unwrap().0
}

fn target_replacement(operations: &[Operation]) -> (String, Vec<String>) {
    let Some(Operation::Replace { value, .. }) = operations
        .iter()
        .find(|op| matches!(op, Operation::Replace { id, .. } if *id == VENDOR_MATCH_ID))
    else {
        panic!("no replace of the vendor datapoint in {operations:?}");
    };
    let options = value
        .options
        .as_ref()
        .unwrap()
        .iter()
        .map(|o| o.value.clone())
        .collect();
    (value.content.as_ref().unwrap().value.clone(), options)
}

async fn matched(content: &[Node], settings: &Settings) -> rossum_rules::VendorMatch {
    match_vendor_datapoint(content, settings, &vendors())
        .await
        .unwrap()
}

#[tokio::test]
async fn each_query_kind_finds_the_vendor_on_its_own() {
    let settings = Settings::default();
    let cases: [(&[(&str, &str)], &str); 5] = [
        // The sample as extracted: VAT id with spaces and dots.
        (&[], "V-10027"),
        // VAT id without its country prefix.
        (
            &[
                ("sender_vat_id", "853122947B01"),
                ("iban", ""),
                ("sender_name", ""),
            ],
            "V-10027",
        ),
        (
            &[
                ("sender_vat_id", ""),
                ("iban", "gb29 nwbk 6016 1331 9268 19"),
                ("sender_name", ""),
            ],
            "V-10031",
        ),
        // Exact name, other case, no accents.
        (
            &[
                ("sender_vat_id", ""),
                ("iban", ""),
                ("sender_name", "ZLUTOUCKY KUN S.R.O."),
            ],
            "V-10052",
        ),
        // Fuzzy name with typos.
        (
            &[
                ("sender_vat_id", ""),
                ("iban", ""),
                ("sender_name", "Muler und Sohne"),
            ],
            "V-10044",
        ),
    ];
    for (changes, expected) in cases {
        let result = matched(&with_values(changes), &settings).await;
        let (value, options) = target_replacement(&result.operations);
        assert_eq!(value, expected, "{changes:?}");
        assert_eq!(options, vec![expected.to_owned()]);
        assert!(result.messages.is_empty(), "{:?}", result.messages);
        assert_eq!(result.blocker, None);
    }
}

#[tokio::test]
async fn several_matches_choose_the_best_and_warn() {
    // Two Adventure Works vendors share a VAT id; the name decides.
    let content = with_values(&[
        ("sender_vat_id", "FI 2077 4740"),
        ("iban", ""),
        ("sender_name", "Adventure Works Cycles (Service)"),
    ]);
    let result = matched(&content, &Settings::default()).await;
    let (value, options) = target_replacement(&result.operations);
    assert_eq!(value, "V-10071");
    assert_eq!(options, vec!["V-10071", "V-10070"]);
    assert_eq!(result.messages.len(), 1);
    assert_eq!(result.messages[0].kind, MessageType::Warning);
    assert_eq!(result.messages[0].id, Some(VENDOR_MATCH_ID));
    assert!(
        result.messages[0]
            .content
            .starts_with("2 vendors match by VAT id")
    );
}

#[tokio::test]
async fn no_match_is_an_error_on_the_target_and_blocks_automation() {
    let content = with_values(&[
        ("sender_vat_id", "DE999999999"),
        ("iban", ""),
        ("sender_name", "Unknown Trading"),
        ("vendor_match", "V-10094"),
    ]);
    let result = matched(&content, &Settings::default()).await;
    let (value, options) = target_replacement(&result.operations);
    assert_eq!(
        (value.as_str(), options.len()),
        ("", 0),
        "a stale match is cleared"
    );
    assert_eq!(result.messages[0].kind, MessageType::Error);
    assert_eq!(result.messages[0].id, Some(VENDOR_MATCH_ID));
    assert_eq!(result.blocker.as_ref().unwrap().id, Some(VENDOR_MATCH_ID));

    // Already empty: nothing to replace, the error still stands.
    let content = with_values(&[
        ("sender_vat_id", "DE999999999"),
        ("iban", ""),
        ("sender_name", "Unknown Trading"),
    ]);
    let result = matched(&content, &Settings::default()).await;
    assert!(result.operations.is_empty());
    assert_eq!(result.messages[0].kind, MessageType::Error);
}

#[tokio::test]
async fn settings_choose_queries_inputs_and_threshold() {
    let content = with_values(&[
        ("sender_vat_id", ""),
        ("iban", ""),
        ("sender_name", "Muler und Sohne"),
    ]);
    let exact_only = Settings {
        vendor_queries: vec![QueryKind::VatId, QueryKind::Name],
        ..Settings::default()
    };
    assert!(
        matched(&content, &exact_only).await.blocker.is_some(),
        "no fuzzy query, no match"
    );
    let strict = Settings {
        fuzzy_name_threshold: 0.95,
        ..Settings::default()
    };
    assert!(
        matched(&content, &strict).await.blocker.is_some(),
        "typos fall below a strict threshold"
    );
    let other_target = Settings {
        vendor_target_schema_id: "supplier_id".to_owned(),
        ..Settings::default()
    };
    let result = matched(&content, &other_target).await;
    assert_eq!(
        result.messages[0].content,
        "Datapoint with schema ID 'supplier_id' is missing."
    );
}

#[test]
fn matching_reruns_only_for_its_inputs() {
    let content = with_values(&[]);
    let settings = Settings::default();
    assert!(matching_inputs_changed(&content, &settings, &[6600011]));
    assert!(matching_inputs_changed(&content, &settings, &[6600013]));
    assert!(!matching_inputs_changed(
        &content,
        &settings,
        &[6601015, 6600002]
    ));
    assert!(!matching_inputs_changed(&content, &settings, &[]));
}

#[test]
fn the_sample_adds_up_and_a_changed_total_does_not() {
    let settings = Settings::default();
    assert_eq!(sum_checks(&with_values(&[]), &settings), vec![]);
    let failures = sum_checks(&with_values(&[("amount_total", "3 100,00")]), &settings);
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].id, Some(AMOUNT_TOTAL_ID));
    assert_eq!(
        failures[0].message,
        "Line item totals add up to 3085.08, but the total amount is 3100.00 (difference -14.92)."
    );
    let tolerant = Settings {
        sum_tolerance: 20.0,
        ..Settings::default()
    };
    assert_eq!(
        sum_checks(&with_values(&[("amount_total", "3 100,00")]), &tolerant),
        vec![]
    );
    let tax = sum_checks(&with_values(&[("amount_total_tax", "400")]), &settings);
    assert!(
        tax[0]
            .message
            .starts_with("Tax details add up to 461.58, but the total tax is 400.00")
    );
    let unreadable = sum_checks(&with_values(&[("item_amount_total", "n/a")]), &settings);
    assert!(
        unreadable
            .iter()
            .all(|f| f.message == "'n/a' cannot be read as an amount.")
    );
    assert_eq!(unreadable.len(), 4);
}

#[test]
fn line_totals_too_large_to_add_up_fail_the_check() {
    let settings = Settings::default();
    // Four totals near f64::MAX overflow to infinity when added.
    let near_max = "9".repeat(308);
    let overflowing = sum_checks(&with_values(&[("item_amount_total", &near_max)]), &settings);
    assert!(
        overflowing.iter().any(|f| f.id == Some(AMOUNT_TOTAL_ID)
            && f.message.starts_with("Line item totals add up to")),
        "{overflowing:?}"
    );
    let beyond_max = "9".repeat(400);
    let unreadable = sum_checks(
        &with_values(&[("item_amount_total", &beyond_max)]),
        &settings,
    );
    assert_eq!(unreadable.len(), 4, "{unreadable:?}");
    assert!(
        unreadable
            .iter()
            .all(|f| f.message.ends_with("cannot be read as an amount."))
    );
}

#[test]
fn required_fields_are_reported_when_empty_or_absent() {
    let required: Vec<String> = ["invoice_id", "currency", "order_id", "purchase_contract"]
        .map(String::from)
        .to_vec();
    let missing = missing_required_fields(
        &with_values(&[("invoice_id", " "), ("order_id", "")]),
        &required,
    );
    assert_eq!(
        missing,
        vec![
            ("invoice_id", Some(6600002)),
            ("order_id", Some(6600005)),
            ("purchase_contract", None)
        ]
    );
}

#[test]
fn zero_vat_rates_skip_values_already_zero() {
    let content = with_values(&[("item_vat_rate", "0.0")]);
    let (messages, operations) = zero_vat_rates(&content, &Settings::default());
    assert!(messages.is_empty() && operations.is_empty());
}
