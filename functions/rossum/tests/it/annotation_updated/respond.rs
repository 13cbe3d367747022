//! The hook's answer on the real-shaped sample annotation and the sample vendor file.

use rossum_functions::annotation_updated::{MATCHING_UNAVAILABLE, respond};
use rossum_rules::Settings;
use vendor_matching::UnavailableVendorStore;
use webhook_model::rossum::{AnnotationContentEvent, MessageType, Operation};

use crate::support::{VENDOR_MATCH_ID, sample_vendors};

const SENDER_NAME_ID: u64 = 6600011;

fn sample_event() -> AnnotationContentEvent {
    let bytes = include_bytes!("../../../../../events/payloads/rossum-annotation-updated.json");
    serde_json::from_slice(bytes).expect("the sample payload parses")
}

fn replaced_values(operations: &[Operation]) -> Vec<(u64, String)> {
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

#[tokio::test]
async fn zero_rated_cells_are_replaced_and_matching_waits_for_its_inputs() {
    let mut event = sample_event();
    event.updated_datapoints = vec![6601015];
    let response = respond(&event, &Settings::default(), &sample_vendors()).await;
    // Rows 2 ("ZERO RATED") and 4 ("zero") of the sample; the sender was not edited.
    assert_eq!(
        replaced_values(&response.operations),
        vec![(6601015, "0.0".to_owned()), (6601035, "0.0".to_owned())]
    );
    assert!(response.messages.is_empty());
}

#[tokio::test]
async fn an_edited_supplier_name_re_matches_the_vendor() {
    let mut event = sample_event();
    event.updated_datapoints = vec![SENDER_NAME_ID];
    let response = respond(&event, &Settings::default(), &sample_vendors()).await;
    let vendor = response
        .operations
        .iter()
        .find_map(|op| match op {
            Operation::Replace { id, value } if *id == VENDOR_MATCH_ID => Some(value),
            _ => None,
        })
        .expect("the vendor datapoint is filled");
    assert_eq!(vendor.content.as_ref().unwrap().value, "V-10027");
    let options = vendor.options.as_ref().unwrap();
    assert_eq!(
        options[0].label,
        "Northwind Consulting B.V., Amsterdam (V-10027)"
    );
}

#[tokio::test]
async fn unreachable_master_data_warns_instead_of_blocking_the_edit() {
    let mut event = sample_event();
    event.updated_datapoints = vec![SENDER_NAME_ID];
    let store = UnavailableVendorStore::new("connection refused");
    let response = respond(&event, &Settings::default(), &store).await;
    assert_eq!(response.messages.len(), 1);
    assert_eq!(response.messages[0].kind, MessageType::Warning);
    assert_eq!(response.messages[0].content, MATCHING_UNAVAILABLE);
    assert_eq!(response.operations.len(), 2, "the other rules still apply");
}

#[tokio::test]
async fn a_missing_vat_column_is_an_error_message_as_in_rossums_sample() {
    let event = sample_event();
    let settings = Settings {
        vat_rate_schema_id: "item_tax_code".to_owned(),
        ..Settings::default()
    };
    let response = respond(&event, &settings, &sample_vendors()).await;
    assert!(response.operations.is_empty());
    assert_eq!(response.messages[0].kind, MessageType::Error);
    assert_eq!(
        response.messages[0].content,
        "Column with schema ID 'item_tax_code' is missing."
    );
}
