//! Configurations that cannot run on the datasets or the annotation: refused naming what to
//! change; and a configuration list that would look up without end is cut short.

use dataset_matching::{MAX_STORE_CALLS, MatchingError, Trigger};
use dataset_store::InMemoryDatasetStore;
use serde_json::json;

use crate::annotation::*;

fn refusal(result: Result<dataset_matching::MatchingAnswer, MatchingError>) -> String {
    match result {
        Err(MatchingError::Configuration(reason)) => reason,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

fn invoice() -> Vec<webhook_model::rossum::Node> {
    content(vec![
        datapoint(10, "sender_vat_id", "NL853122947B01"),
        datapoint(12, "vendor_match", ""),
        table(5, &[&[("item_code", "A"), ("item_product", "")]]),
    ])
}

#[tokio::test]
async fn a_find_on_fields_no_index_covers_names_the_dataset_field_and_flag() {
    let store = InMemoryDatasetStore::new([vendors()]);
    let config = settings(json!([{
        "source": {"dataset": "vendors", "queries": [{"find": {"city": "{sender_vat_id}"}}]},
        "mapping": {"target_schema_id": "vendor_match", "dataset_key": "vendor_id"}}]));
    let reason = refusal(run(&config, &invoice(), Trigger::Initialize, &[], &store).await);
    for part in [
        "configurations[0]",
        "source.queries[0]",
        "city",
        "\"vendors\"",
        "--index city",
    ] {
        assert!(reason.contains(part), "{part:?} in {reason}");
    }
    let fuzzy = settings(json!([{
        "source": {"dataset": "vendors", "queries": [{"fuzzy": {"field": "city", "value": "{sender_vat_id}"}}]},
        "mapping": {"target_schema_id": "vendor_match", "dataset_key": "vendor_id"}}]));
    let reason = refusal(run(&fuzzy, &invoice(), Trigger::Initialize, &[], &store).await);
    assert!(reason.contains("--fuzzy-index"), "{reason}");
}

#[tokio::test]
async fn a_header_target_reading_a_line_item_column_is_refused_naming_both() {
    let store = InMemoryDatasetStore::new([vendors()]);
    let config = settings(json!([{
        "source": {"dataset": "vendors", "queries": [{"find": {"vat_id": "{item_code}"}}]},
        "mapping": {"target_schema_id": "vendor_match", "dataset_key": "vendor_id"}}]));
    let reason = refusal(run(&config, &invoice(), Trigger::Initialize, &[], &store).await);
    assert!(
        reason.contains("\"vendor_match\"") && reason.contains("\"item_code\""),
        "{reason}"
    );
}

#[tokio::test]
async fn lookups_stop_at_the_bound_with_a_warning_naming_what_did_not_run() {
    let store = InMemoryDatasetStore::new([vendors()]);
    let one = json!({
        "source": {"dataset": "vendors", "queries": [
            {"find": {"vat_id": "x{sender_vat_id}"}}, {"find": {"vat_id": "y{sender_vat_id}"}},
            {"find": {"vat_id": "z{sender_vat_id}"}}]},
        "mapping": {"target_schema_id": "vendor_match", "dataset_key": "vendor_id"}});
    let config = settings(json!(vec![one; 100]));
    let answer = run(&config, &invoice(), Trigger::Initialize, &[], &store)
        .await
        .unwrap();
    assert!(
        answer.store_calls <= MAX_STORE_CALLS + 3,
        "{}",
        answer.store_calls
    );
    assert!(
        answer
            .warnings
            .iter()
            .any(|w| w.contains("stopped") && w.contains("configurations[99]")),
        "{:?}",
        answer.warnings
    );
}
