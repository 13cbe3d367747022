//! The business rule on real-shaped annotations.

use rossum_annotation_updated::{Settings, respond};
use webhook_model::rossum::{AnnotationContentEvent, MessageType, Operation};

fn sample_event() -> AnnotationContentEvent {
    let bytes = include_bytes!("../../../events/payloads/rossum-annotation-updated.json");
    serde_json::from_slice(bytes).expect("the sample payload parses")
}

fn replaced(operations: &[Operation]) -> Vec<(u64, String)> {
    operations
        .iter()
        .map(|op| match op {
            Operation::Replace { id, value } => {
                (*id, value.content.as_ref().unwrap().value.clone())
            }
            other => panic!("only replace operations expected, got {other:?}"),
        })
        .collect()
}

#[test]
fn zero_rated_cells_in_any_case_are_replaced_and_others_left_alone() {
    let event = sample_event();
    let response = respond(event.content(), &Settings::default());
    // Rows 2 ("ZERO RATED") and 4 ("zero") of the sample; rows 1 and 3 are "21%".
    assert_eq!(
        replaced(&response.operations),
        vec![(6601015, "0.0".to_owned()), (6601035, "0.0".to_owned())]
    );
    assert!(response.messages.is_empty());
    assert!(response.automation_blockers.is_empty());
}

#[test]
fn a_missing_column_is_an_error_message_as_in_rossums_sample() {
    let event = sample_event();
    let settings = Settings {
        vat_rate_schema_id: "item_tax_code".to_owned(),
        ..Settings::default()
    };
    let response = respond(event.content(), &settings);
    assert!(response.operations.is_empty());
    assert_eq!(response.messages.len(), 1);
    assert_eq!(response.messages[0].kind, MessageType::Error);
    assert_eq!(
        response.messages[0].content,
        "Column with schema ID 'item_tax_code' is missing."
    );
}

#[test]
fn an_empty_annotation_has_no_column() {
    let response = respond(&[], &Settings::default());
    assert_eq!(
        response.messages[0].content,
        "Column with schema ID 'item_vat_rate' is missing."
    );
}

#[test]
fn settings_change_the_column_marker_and_replacement() {
    let event = sample_event();
    let settings = Settings {
        vat_rate_schema_id: "tax_detail_rate".to_owned(),
        zero_rate_marker: "21".to_owned(),
        zero_rate_value: "21.0".to_owned(),
    };
    let response = respond(event.content(), &settings);
    assert_eq!(
        replaced(&response.operations),
        vec![(6600027, "21.0".to_owned())]
    );
}

#[test]
fn empty_cells_are_skipped() {
    let mut event = sample_event();
    let text = serde_json::to_string(&event.annotation)
        .unwrap()
        .replace("\"ZERO RATED\"", "\"\"");
    event.annotation = Some(serde_json::from_str(&text).unwrap());
    let response = respond(event.content(), &Settings::default());
    assert_eq!(
        replaced(&response.operations),
        vec![(6601035, "0.0".to_owned())]
    );
}
