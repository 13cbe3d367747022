//! The gate and the export record on the real-shaped sample annotation.

use super::common;

use common::{
    AMOUNT_TOTAL_ID, ANNOTATION_ID, CURRENCY_ID, VENDOR_MATCH_ID, datapoint, export_payload,
    sample_export_record,
};
use record_store::{ExportRecord, InMemoryRecordStore, RecordStore, UnavailableRecordStore};
use rossum_functions::annotation_export::{
    ExportSettings, VENDOR_NOT_MATCHED, export_record, gate, respond,
};
use rossum_rules::Settings;
use serde_json::{Value, json};
use webhook_endpoint::WebhookError;
use webhook_model::rossum::{AnnotationContentEvent, HookResponse, Message, MessageType};

const EXPORT_SAMPLE: &[u8] =
    include_bytes!("../../../../../events/payloads/rossum-annotation-export.json");

fn event(payload: Value) -> AnnotationContentEvent {
    serde_json::from_value(payload).expect("the payload parses")
}

/// The export record of `payload` under the default settings.
fn record_of(payload: Value) -> Result<ExportRecord, String> {
    export_record(
        &event(payload),
        &Settings::default(),
        &ExportSettings::default(),
    )
}

/// The hook's answer to `payload` under the default settings, recording in `records`.
async fn respond_by_default(
    payload: Value,
    records: &dyn RecordStore,
) -> Result<HookResponse, WebhookError> {
    let settings = Settings::default();
    respond(
        &event(payload),
        &settings,
        &ExportSettings::default(),
        records,
    )
    .await
}

fn errors(messages: &[Message]) -> Vec<(Option<u64>, String)> {
    assert!(
        messages.iter().all(|m| m.kind == MessageType::Error),
        "{messages:?}"
    );
    messages.iter().map(|m| (m.id, m.content.clone())).collect()
}

#[test]
fn the_confirmed_sample_passes_the_gate() {
    let event = event(export_payload());
    assert_eq!(gate(event.content(), &Settings::default()), vec![]);
    let sample: AnnotationContentEvent = serde_json::from_slice(EXPORT_SAMPLE).unwrap();
    let settings: Settings = serde_json::from_value(sample.settings.clone()).unwrap();
    assert_eq!(
        gate(sample.content(), &settings),
        vec![],
        "events/payloads sample"
    );
}

#[test]
fn an_unmatched_vendor_blocks_on_its_datapoint() {
    let mut payload = export_payload();
    datapoint(&mut payload, VENDOR_MATCH_ID)["content"]["value"] = json!("  ");
    let event = event(payload);
    assert_eq!(
        errors(&gate(event.content(), &Settings::default())),
        vec![(Some(VENDOR_MATCH_ID), VENDOR_NOT_MATCHED.to_owned())]
    );

    let settings = Settings {
        vendor_target_schema_id: "supplier_id".to_owned(),
        ..Settings::default()
    };
    assert_eq!(
        errors(&gate(event.content(), &settings)),
        vec![(
            None,
            "Datapoint with schema ID 'supplier_id' is missing.".to_owned()
        )]
    );
}

#[test]
fn sums_that_do_not_add_up_block_on_the_total() {
    let mut payload = export_payload();
    datapoint(&mut payload, AMOUNT_TOTAL_ID)["content"] =
        json!({"value": "3100.00", "normalized_value": 3100.0});
    let event = event(payload);
    assert_eq!(
        errors(&gate(event.content(), &Settings::default())),
        vec![(
            Some(AMOUNT_TOTAL_ID),
            "Line item totals add up to 3085.08, but the total amount is 3100.00 (difference -14.92)."
                .to_owned()
        )]
    );
}

#[test]
fn required_fields_that_are_empty_or_absent_block() {
    let mut payload = export_payload();
    datapoint(&mut payload, CURRENCY_ID)["content"]["value"] = json!("");
    let event = event(payload);
    let settings = Settings {
        required_schema_ids: vec!["currency".to_owned(), "purchase_order".to_owned()],
        ..Settings::default()
    };
    assert_eq!(
        errors(&gate(event.content(), &settings)),
        vec![
            (
                Some(CURRENCY_ID),
                "Required field 'currency' is empty.".to_owned()
            ),
            (
                None,
                "Required field 'purchase_order' is missing.".to_owned()
            ),
        ]
    );
}

#[test]
fn the_export_record_carries_what_the_erp_needs() {
    assert_eq!(record_of(export_payload()), Ok(sample_export_record()));
}

#[test]
fn the_document_id_falls_back_to_the_annotations_document_url() {
    let mut payload = export_payload();
    payload.as_object_mut().unwrap().remove("document");
    let record = record_of(payload).unwrap();
    assert_eq!(record.document_id, Some(3309021));
}

#[test]
fn an_export_without_id_or_timestamp_cannot_be_recorded() {
    let mut payload = export_payload();
    payload["annotation"].as_object_mut().unwrap().remove("id");
    let error = record_of(payload).unwrap_err();
    assert!(error.contains("annotation.id"), "{error}");

    let mut payload = export_payload();
    payload["timestamp"] = json!("20 Nov 2026");
    let error = record_of(payload).unwrap_err();
    assert!(error.contains("timestamp"), "{error}");
}

#[tokio::test]
async fn confirm_only_gates_and_export_records_once() {
    let store = InMemoryRecordStore::new();

    let mut confirm = export_payload();
    confirm["action"] = json!("confirm");
    let response = respond_by_default(confirm, &store).await.unwrap();
    assert!(response.messages.is_empty() && response.operations.is_empty());
    assert_eq!(store.export_count(), 0, "confirm writes nothing");

    let first = export_payload();
    let response = respond_by_default(first.clone(), &store).await.unwrap();
    assert!(response.messages.is_empty() && response.operations.is_empty());
    let mut retry = export_payload();
    retry["request_id"] = json!("another-delivery");
    respond_by_default(retry, &store).await.unwrap();
    assert_eq!(store.export_count(), 1);
    assert_eq!(
        store.export(ANNOTATION_ID).unwrap().request_id,
        event(first).request_id,
        "the first export's record stays"
    );
}

#[tokio::test]
async fn a_gate_failure_writes_nothing_and_a_store_failure_is_unavailable() {
    let store = InMemoryRecordStore::new();
    let mut payload = export_payload();
    datapoint(&mut payload, VENDOR_MATCH_ID)["content"]["value"] = json!("");
    let response = respond_by_default(payload, &store).await.unwrap();
    assert_eq!(response.messages.len(), 1);
    assert_eq!(store.export_count(), 0);

    let down = UnavailableRecordStore::new("connection refused");
    let error = respond_by_default(export_payload(), &down)
        .await
        .unwrap_err();
    assert!(matches!(error, WebhookError::Unavailable(_)), "{error}");
}
