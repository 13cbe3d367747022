//! The built-in sum checks and required fields, shipped as `checks`
//! (`events/settings/initialize.checks.json`, `export.checks.json`), answer as the built-in
//! rules do on the sample annotation and its faulty variants: the same datapoints get a
//! message of the same type, and the same ones block automation or the export.

use business_rules::RulesSettings;
use rossum_functions::annotation_export::{gate, gate_with_checks};
use rossum_functions::annotation_initialize::{respond_with, respond_with_checks};
use rossum_functions::master_data::Matcher;
use rossum_rules::Settings;
use serde_json::Value;
use webhook_model::rossum::{AnnotationContentEvent, HookResponse, Message};

use crate::support::{initialize_sample, sample_vendors, set_datapoint};

fn shipped(name: &str) -> RulesSettings {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events/settings")
        .join(name);
    let settings: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let checks = RulesSettings::from_hook_settings(&settings)
        .unwrap()
        .unwrap();
    assert!(checks.warnings.is_empty(), "{:?}", checks.warnings);
    checks
}

/// The sample, then each thing the built-in rules catch.
fn variants() -> Vec<(&'static str, AnnotationContentEvent)> {
    let edits: [(&str, &[(&str, &str)]); 6] = [
        ("the sample", &[]),
        (
            "a total the lines do not add up to",
            &[("amount_total", "3100.00")],
        ),
        (
            "a total tax the tax details do not add up to",
            &[("amount_total_tax", "400.00")],
        ),
        ("within the tolerance", &[("amount_total", "3085.09")]),
        ("an empty invoice number", &[("invoice_id", "")]),
        (
            "no currency and no issue date",
            &[("currency", ""), ("date_issue", "")],
        ),
    ];
    edits
        .into_iter()
        .map(|(case, edits)| {
            let mut payload = initialize_sample();
            for (schema_id, value) in edits {
                set_datapoint(&mut payload, schema_id, value);
                // The built-in rules read `value`; the checks read the normalised one first.
                drop_normalized(&mut payload["annotation"]["content"], schema_id);
            }
            (case, serde_json::from_value(payload).unwrap())
        })
        .collect()
}

fn drop_normalized(nodes: &mut Value, schema_id: &str) {
    for node in nodes.as_array_mut().into_iter().flatten() {
        if node["schema_id"] == schema_id {
            node["content"]["normalized_value"] = Value::Null;
        }
        if let Some(children) = node.get_mut("children") {
            drop_normalized(children, schema_id);
        }
    }
}

/// Where the messages are and of what type, and which datapoints block automation.
fn shape(messages: &[Message], blockers: &[Option<u64>]) -> (Vec<String>, Vec<Option<u64>>) {
    let mut messages: Vec<String> = messages
        .iter()
        .map(|m| format!("{:?} on {:?}", m.kind, m.id))
        .collect();
    messages.sort();
    let mut blockers = blockers.to_vec();
    blockers.sort();
    (messages, blockers)
}

fn blockers(response: &HookResponse) -> Vec<Option<u64>> {
    response.automation_blockers.iter().map(|b| b.id).collect()
}

#[tokio::test]
async fn on_initialize_the_shipped_checks_warn_and_block_where_the_sum_checks_do() {
    let checks = shipped("initialize.checks.json");
    let vendors = sample_vendors();
    let settings = Settings::default();
    for (case, event) in variants() {
        let built_in = respond_with(&event, &settings, Matcher::Vendors(&vendors))
            .await
            .unwrap();
        let checked = respond_with_checks(&event, &settings, Matcher::Vendors(&vendors), &checks)
            .await
            .unwrap();
        assert_eq!(
            shape(&checked.messages, &blockers(&checked)),
            shape(&built_in.messages, &blockers(&built_in)),
            "{case}: {:?} against {:?}",
            checked.messages,
            built_in.messages
        );
        assert_eq!(checked.operations, built_in.operations, "{case}");
        if case.starts_with("a total") {
            assert!(!built_in.automation_blockers.is_empty(), "{case} is caught");
        }
    }
}

#[test]
fn on_export_the_shipped_checks_block_where_the_sum_checks_and_required_fields_do() {
    let checks = shipped("export.checks.json");
    let settings = Settings::default();
    for (case, mut event) in variants() {
        // The gate also wants a matched vendor.
        let mut payload = serde_json::to_value(&event).unwrap();
        set_datapoint(&mut payload, "vendor_match", "V-10027");
        event = serde_json::from_value(payload).unwrap();
        let built_in = gate(event.content(), &settings);
        let checked = gate_with_checks(&event, &settings, &checks).unwrap();
        assert_eq!(
            shape(&checked, &[]),
            shape(&built_in, &[]),
            "{case}: {checked:?} against {built_in:?}"
        );
        if case != "the sample" && case != "within the tolerance" {
            assert!(!checked.is_empty(), "{case} is caught");
        }
    }
}
