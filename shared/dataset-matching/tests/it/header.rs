//! Header targets: vendors by VAT id, purchase orders by PO number and vendor, chaining,
//! result actions, additional mappings, queues, conditions and when configurations run.

use dataset_matching::Trigger;
use dataset_store::InMemoryDatasetStore;
use serde_json::json;
use webhook_model::rossum::MessageType;

use crate::annotation::*;

fn vendor_by_vat() -> serde_json::Value {
    json!([{
        "name": "Vendor by VAT ID",
        "source": {"dataset": "vendors", "queries": [
            {"find": {"vat_id": "{sender_vat_id}"}},
            {"fuzzy": {"field": "name", "value": "{sender_name}", "threshold": 0.5}}]},
        "default": {"value": "", "label": ""},
        "mapping": {"target_schema_id": "vendor_match", "dataset_key": "vendor_id",
                    "label_template": "{name}, {city} ({vendor_id})"},
        "additional_mappings": [{"target_schema_id": "vendor_iban", "dataset_key": "iban"}],
        "result_actions": {
            "no_match_found": {"select": "default", "message": {"type": "error", "content": "Vendor not found"}},
            "one_match_found": {"select": "best_match"},
            "multiple_matches_found": {"select": "best_match", "message": {"type": "warning", "content": "Several vendors match"}}}
    }])
}

fn invoice(vat: &str, name: &str) -> Vec<webhook_model::rossum::Node> {
    content(vec![
        datapoint(10, "sender_vat_id", vat),
        datapoint(11, "sender_name", name),
        datapoint(12, "vendor_match", ""),
        datapoint(13, "vendor_iban", ""),
        datapoint(14, "order_id", "PO-7001"),
        datapoint(15, "po_match", ""),
    ])
}

#[tokio::test]
async fn a_vendor_is_found_by_vat_id_and_its_iban_copied() {
    let store = InMemoryDatasetStore::new([vendors()]);
    let answer = initialize(vendor_by_vat(), &invoice("NL853122947B01", ""), &store).await;
    assert_eq!(
        replaced(&answer, 12),
        Some((
            "V-100".to_owned(),
            vec![option("V-100", "Northwind Consulting BV, Utrecht (V-100)")]
        ))
    );
    assert_eq!(
        replaced(&answer, 13),
        Some((
            "NL91ABNA0417164300".to_owned(),
            vec![option("NL91ABNA0417164300", "NL91ABNA0417164300")]
        ))
    );
    assert!(answer.messages.is_empty() && answer.automation_blockers.is_empty());
    // One call describes the dataset, one finds the vendor.
    assert_eq!(answer.store_calls, 2);
}

#[tokio::test]
async fn the_next_query_runs_only_when_the_first_finds_nothing() {
    let store = InMemoryDatasetStore::new([vendors()]);
    let answer = initialize(
        vendor_by_vat(),
        &invoice("XX000", "Northwind Consulting"),
        &store,
    )
    .await;
    assert_eq!(replaced(&answer, 12).unwrap().0, "V-100", "by fuzzy name");
    assert_eq!(answer.store_calls, 3);
}

#[tokio::test]
async fn several_matches_take_each_select_and_say_so_on_the_target() {
    let store = InMemoryDatasetStore::new([vendors()]);
    let best = initialize(vendor_by_vat(), &invoice("DE129273398", ""), &store).await;
    let (value, options) = replaced(&best, 12).unwrap();
    assert_eq!(value, "V-200", "best_match is the first in dataset order");
    assert_eq!(
        options.iter().map(|o| o.0.as_str()).collect::<Vec<_>>(),
        ["V-200", "V-201"]
    );
    assert_eq!(
        messages_on(&best, 12),
        [(MessageType::Warning, "Several vendors match")]
    );
    assert!(
        best.automation_blockers.is_empty(),
        "a warning does not block"
    );

    let mut config = vendor_by_vat();
    config[0]["result_actions"]["multiple_matches_found"]["select"] = json!("default");
    config[0]["default"] = json!({"value": "UNKNOWN", "label": "--- choose ---"});
    let mut filled = invoice("DE129273398", "");
    if let Some(node) = filled[0].children.iter_mut().find(|n| n.id == 13) {
        node.content.as_mut().unwrap().value = Some("DE00 OLD".to_owned());
    }
    let default = initialize(config, &filled, &store).await;
    let (value, options) = replaced(&default, 12).unwrap();
    assert_eq!(value, "UNKNOWN");
    assert_eq!(
        options.iter().map(|o| o.0.as_str()).collect::<Vec<_>>(),
        ["UNKNOWN", "V-200", "V-201"],
        "the default is the first option"
    );
    assert_eq!(
        replaced(&default, 13),
        Some((String::new(), vec![])),
        "additional targets emptied"
    );
}

#[tokio::test]
async fn no_match_selects_the_default_and_an_error_blocks_automation_on_initialize_only() {
    let store = InMemoryDatasetStore::new([vendors()]);
    let config = settings(vendor_by_vat());
    let content = invoice("XX000", "");
    let answer = run(&config, &content, Trigger::Initialize, &[], &store)
        .await
        .unwrap();
    // Already empty with no options: nothing to replace.
    assert_eq!(replaced(&answer, 12), None);
    assert_eq!(
        messages_on(&answer, 12),
        [(MessageType::Error, "Vendor not found")]
    );
    assert_eq!(answer.automation_blockers.len(), 1);
    assert_eq!(answer.automation_blockers[0].id, Some(12));

    let updated = run(&config, &content, Trigger::Updated, &[10], &store)
        .await
        .unwrap();
    assert_eq!(
        messages_on(&updated, 12),
        [(MessageType::Error, "Vendor not found")]
    );
    assert!(updated.automation_blockers.is_empty());
}

#[tokio::test]
async fn updated_runs_a_configuration_only_when_a_datapoint_it_reads_changed() {
    let store = InMemoryDatasetStore::new([vendors()]);
    let config = settings(vendor_by_vat());
    let content = invoice("NL853122947B01", "");
    let untouched = run(&config, &content, Trigger::Updated, &[14], &store)
        .await
        .unwrap();
    assert!(untouched.operations.is_empty());
    assert_eq!(untouched.store_calls, 1, "only the up-front describe");
    let changed = run(&config, &content, Trigger::Updated, &[10], &store)
        .await
        .unwrap();
    assert_eq!(replaced(&changed, 12).unwrap().0, "V-100");
    let started = run(&config, &content, Trigger::Started, &[10], &store)
        .await
        .unwrap();
    assert_eq!(started.store_calls, 0);
    assert!(started.operations.is_empty());
}

fn purchase_orders() -> dataset_store::Dataset {
    dataset(
        "purchase_orders",
        json!([
            {"po_number": "PO-7001", "vendor_id": "V-200", "total": 120.5, "vendor": {"name": "Contoso"}},
            {"po_number": "PO-7001", "vendor_id": "V-100", "total": 99, "vendor": {"name": "Northwind"}},
            {"po_number": "PO-7002", "vendor_id": "V-100", "total": 10, "vendor": {"name": "Northwind"}}
        ]),
        &["po_number+vendor_id", "po_number"],
        &[],
    )
}

fn po_after_vendor() -> serde_json::Value {
    let mut configurations = vendor_by_vat();
    configurations.as_array_mut().unwrap().push(json!({
        "name": "PO by number and vendor",
        "source": {"dataset": "purchase_orders", "queries": [
            {"find": {"po_number": "{order_id}", "vendor_id": "{vendor_match}"}}]},
        "mapping": {"target_schema_id": "po_match", "dataset_key": "po_number",
                    "label_template": "{po_number} ({vendor.name}, {total})"},
        "result_actions": {"one_match_found": {"select": "best_match"},
                           "no_match_found": {"message": {"type": "warning", "content": "No purchase order"}}}
    }));
    configurations
}

#[tokio::test]
async fn a_purchase_order_is_found_by_number_and_the_vendor_matched_before_it() {
    let store = InMemoryDatasetStore::new([vendors(), purchase_orders()]);
    let answer = initialize(po_after_vendor(), &invoice("NL853122947B01", ""), &store).await;
    assert_eq!(
        replaced(&answer, 15),
        Some((
            "PO-7001".to_owned(),
            vec![option("PO-7001", "PO-7001 (Northwind, 99)")]
        ))
    );
    // Both datasets are described by one call.
    assert_eq!(answer.store_calls, 3);

    // On `updated`, a VAT id edit re-matches the vendor, and so the PO that reads it.
    let updated = run(
        &settings(po_after_vendor()),
        &invoice("DE129273398", ""),
        Trigger::Updated,
        &[10],
        &store,
    )
    .await
    .unwrap();
    assert_eq!(replaced(&updated, 12).unwrap().0, "V-200");
    assert_eq!(
        replaced(&updated, 15).unwrap().1,
        vec![option("PO-7001", "PO-7001 (Contoso, 120.5)")]
    );
}

#[tokio::test]
async fn queue_ids_and_action_condition_decide_whether_a_configuration_matches() {
    let store = InMemoryDatasetStore::new([vendors()]);
    let mut other_queue = vendor_by_vat();
    other_queue[0]["queue_ids"] = json!([1, 2]);
    let answer = initialize(other_queue, &invoice("NL853122947B01", ""), &store).await;
    assert!(answer.operations.is_empty() && answer.messages.is_empty());

    let mut conditional = vendor_by_vat();
    conditional[0]["queue_ids"] = json!([24710]);
    conditional[0]["action_condition"] =
        json!("'{sender_vat_id}' != '' and not '{sender_name}' == 'skip'");
    let mut filled = invoice("", "skip");
    if let Some(node) = filled[0].children.iter_mut().find(|n| n.id == 12) {
        node.content.as_mut().unwrap().value = Some("V-999".to_owned());
    }
    let reset = initialize(conditional.clone(), &filled, &store).await;
    assert_eq!(
        replaced(&reset, 12),
        Some((String::new(), vec![])),
        "reset to empty"
    );
    assert!(
        reset.messages.is_empty(),
        "no message when the condition is false"
    );
    let runs = initialize(conditional, &invoice("NL853122947B01", "x"), &store).await;
    assert_eq!(replaced(&runs, 12).unwrap().0, "V-100");
}

#[tokio::test]
async fn a_sole_placeholder_of_a_number_datapoint_finds_a_number() {
    let store = InMemoryDatasetStore::new([vendors()]);
    let config = settings(json!([{
        "source": {"dataset": "vendors", "queries": [{"find": {"vendor_id": "{vendor_number}"}}]},
        "mapping": {"target_schema_id": "vendor_match", "dataset_key": "name"},
        "result_actions": {"one_match_found": {"select": "best_match"}}
    }]));
    let content = content(vec![
        datapoint(20, "vendor_number", "300"),
        datapoint(21, "vendor_match", ""),
    ]);
    let as_text = run(&config, &content, Trigger::Initialize, &[], &store)
        .await
        .unwrap();
    assert_eq!(replaced(&as_text, 21), None, "\"300\" is not 300");
    let schemas = json!([{"content": [{"category": "section", "children": [
        {"id": "vendor_number", "category": "datapoint", "type": "enum", "enum_value_type": "number"}]}]}]);
    let as_number = run_with(
        &config,
        &content,
        Some(&schemas),
        Trigger::Initialize,
        &[],
        &store,
    )
    .await
    .unwrap();
    assert_eq!(replaced(&as_number, 21).unwrap().0, "Numbered Vendor");
}

#[tokio::test]
async fn an_unknown_dataset_or_datapoint_is_a_warning_naming_it() {
    let store = InMemoryDatasetStore::new([vendors()]);
    let mut config = vendor_by_vat();
    config[0]["source"]["dataset"] = json!("vendors_{sender_name}");
    let answer = initialize(config, &invoice("NL853122947B01", "eu"), &store).await;
    assert!(
        answer.warnings.iter().any(|w| w.contains("\"vendors_eu\"")),
        "{:?}",
        answer.warnings
    );
    assert_eq!(
        messages_on(&answer, 12),
        [(MessageType::Error, "Vendor not found")]
    );

    let mut missing = vendor_by_vat();
    missing[0]["source"]["queries"][0]["find"]["vat_id"] = json!("{tax_number}");
    let answer = initialize(missing, &invoice("NL853122947B01", ""), &store).await;
    assert!(
        answer.warnings.iter().any(|w| w.contains("{tax_number}")),
        "{:?}",
        answer.warnings
    );
    assert!(
        answer.operations.is_empty() && answer.messages.is_empty(),
        "skipped"
    );
}
