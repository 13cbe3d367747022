//! The initialize hook's answer on the real-shaped sample annotation and vendor file.

use rossum_functions::annotation_initialize::respond;
use rossum_rules::Settings;
use serde_json::Value;
use vendor_matching::UnavailableVendorStore;
use webhook_model::rossum::{AnnotationContentEvent, MessageType, Operation};

use crate::support::{
    AMOUNT_TOTAL_ID, VENDOR_MATCH_ID, initialize_sample, sample_vendors, set_datapoint_in as set,
};

fn event(payload: Value) -> AnnotationContentEvent {
    serde_json::from_value(payload).unwrap()
}

#[tokio::test]
async fn the_sample_is_matched_zero_rates_fixed_and_nothing_blocks_automation() {
    let response = respond(
        &event(initialize_sample()),
        &Settings::default(),
        &sample_vendors(),
    )
    .await
    .unwrap();
    assert!(response.messages.is_empty(), "{:?}", response.messages);
    assert!(response.automation_blockers.is_empty());
    let replaced: Vec<(u64, String)> = response
        .operations
        .iter()
        .map(|op| match op {
            Operation::Replace { id, value } => {
                (*id, value.content.as_ref().unwrap().value.clone())
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        replaced,
        vec![
            (6601015, "0.0".to_owned()),
            (6601035, "0.0".to_owned()),
            (VENDOR_MATCH_ID, "V-10027".to_owned())
        ]
    );
}

#[tokio::test]
async fn an_unknown_vendor_and_a_wrong_total_block_automation() {
    let mut payload = initialize_sample();
    let content = &mut payload["annotation"]["content"];
    set(content, "amount_total", "3 100,00");
    set(content, "sender_vat_id", "NL 0000.00.000.B01");
    set(content, "iban", "");
    set(content, "sender_name", "Unheard Of Holdings");
    let response = respond(&event(payload), &Settings::default(), &sample_vendors())
        .await
        .unwrap();
    let blockers: Vec<Option<u64>> = response.automation_blockers.iter().map(|b| b.id).collect();
    assert_eq!(blockers, vec![Some(VENDOR_MATCH_ID), Some(AMOUNT_TOTAL_ID)]);
    let kinds: Vec<(Option<u64>, MessageType)> =
        response.messages.iter().map(|m| (m.id, m.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (Some(VENDOR_MATCH_ID), MessageType::Error),
            (Some(AMOUNT_TOTAL_ID), MessageType::Warning)
        ],
        "sum failures are warnings on initialize"
    );
}

#[tokio::test]
async fn unreachable_master_data_is_an_error_so_rossum_retries() {
    let store = UnavailableVendorStore::new("connection refused");
    let error = respond(&event(initialize_sample()), &Settings::default(), &store)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("connection refused"));
}
