//! Checks Rossum publishes for Business Rules Validation (rossum.university "Business Rules
//! Validation" and "Configuration examples", with the sample's schema ids) in the settings of
//! the sample, through the built Lambda binaries: initialize answers their messages and
//! blockers; export answers a failing error check with its error and records nothing, and
//! records the export once every error check passes.

use serde_json::{Value, json};
use vendor_matching::read_vendor_file;
use webhook_test_support::binary::start;
use webhook_test_support::{drop_table, dynamodb_endpoint, invoke};

use crate::annotation_export::common::{AMOUNT_TOTAL_ID, ANNOTATION_ID, export_payload};
use crate::support::{
    DEVELOPMENT_SECRET, SECRET_VAR, bytes, initialize_sample, sample_vendor_file, set_datapoint,
    signed_event, start_with_records_table,
};

const INITIALIZE: &str = env!("CARGO_BIN_EXE_rossum-annotation-initialize");
const EXPORT: &str = env!("CARGO_BIN_EXE_rossum-annotation-export");

const INVOICE_ID: u64 = 6600002;
const ORDER_ID: u64 = 6600005;
const FACE_VALUE: &str = "Total amount is not equal to the sum of amount base and the tax";
const LINES: &str = "The sum of line items is not equal to the total amount.";
const ONE_VALUE: &str = "At least one value has to be filled.";
const MANDATORY: &str = "Invoice number is mandatory.";

/// The published checks, as pasted into the hook's settings.
fn with_checks(mut payload: Value) -> Value {
    payload["settings"]["checks"] = json!([
        {"rule": "has_value({invoice_id})", "message": MANDATORY},
        {"rule": "{amount_total} == {amount_total_base} + {amount_total_tax}", "type": "error",
         "message": FACE_VALUE, "automation_blocker": true},
        {"rule": "sum({item_amount_total}) == {amount_total}", "type": "error",
         "message": LINES, "automation_blocker": true},
        {"or": [
            {"rule": "has_value({order_id})", "message": ONE_VALUE},
            {"rule": "has_value({sender_vat_id})", "message": ONE_VALUE},
            {"rule": "has_value({iban})", "message": ONE_VALUE}
        ]},
        {"rule": "has_value({invoice_id})", "message": "Another queue.", "queue_ids": [123, 456]}
    ]);
    payload["settings"]["variables"] = json!({});
    payload
}

/// A message as `(type, datapoint, text)`.
type Shown = (String, Value, String);

/// `(type, datapoint, text)` of every message, and `(datapoint, text)` of every blocker, in
/// the answer's order (the checks' order).
fn shown(answer: &Value) -> (Vec<Shown>, Vec<(Value, String)>) {
    let list = |key: &str| answer[key].as_array().cloned().unwrap_or_default();
    let text = |v: &Value| v["content"].as_str().unwrap_or_default().to_owned();
    let messages: Vec<_> = list("messages")
        .iter()
        .map(|m| {
            (
                m["type"].as_str().unwrap().to_owned(),
                m["id"].clone(),
                text(m),
            )
        })
        .collect();
    let blockers: Vec<_> = list("automation_blockers")
        .iter()
        .map(|b| (b["id"].clone(), text(b)))
        .collect();
    (messages, blockers)
}

fn error(id: u64, text: &str) -> Shown {
    ("error".to_owned(), json!(id), text.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_checks_answer_through_the_initialize_and_export_binaries() {
    let endpoint = dynamodb_endpoint();
    let client = webhook_test_support::client().await;
    let table = webhook_test_support::new_master_data_table(&client, "checks", "published").await;
    let vendors: Vec<_> = read_vendor_file(&sample_vendor_file())
        .unwrap()
        .vendors
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    master_data_store::import_vendors(&client, &table, &vendors, &mut |_| {})
        .await
        .unwrap();
    let env = [
        SECRET_VAR,
        ("VENDOR_TABLE", &table),
        ("DYNAMODB_ENDPOINT", &endpoint),
    ];
    let (api, _initialize) = start(INITIALIZE, "rossum-annotation-initialize", &env).await;
    let route = rossum_functions::ANNOTATION_INITIALIZE.route;
    let initialize = |payload: Value| signed_event(route, &bytes(&payload), DEVELOPMENT_SECRET);

    // The sample passes every check; the other queue's check does not apply.
    let (status, answer) = invoke(&api, &initialize(with_checks(initialize_sample()))).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(shown(&answer), (vec![], vec![]), "{answer}");

    let mut wrong = with_checks(initialize_sample());
    set_datapoint(&mut wrong, "amount_total", "3100.00");
    set_datapoint(&mut wrong, "invoice_id", "");
    for schema_id in ["order_id", "sender_vat_id", "iban"] {
        set_datapoint(&mut wrong, schema_id, "");
    }
    let (status, answer) = invoke(&api, &initialize(wrong)).await;
    assert_eq!(status, 200, "{answer}");
    let (messages, blockers) = shown(&answer);
    let ours: Vec<_> = messages
        .into_iter()
        .filter(|(_, _, text)| [MANDATORY, FACE_VALUE, LINES, ONE_VALUE].contains(&text.as_str()))
        .collect();
    assert_eq!(
        ours,
        [
            error(INVOICE_ID, MANDATORY),
            error(AMOUNT_TOTAL_ID, FACE_VALUE),
            error(AMOUNT_TOTAL_ID, LINES),
            error(ORDER_ID, ONE_VALUE),
        ],
        "{answer}"
    );
    // Each error blocks automation (and the first two say so themselves).
    let expected: Vec<_> = ours
        .iter()
        .map(|(_, id, text)| (id.clone(), text.clone()))
        .collect();
    assert_eq!(blockers, expected, "{answer}");
    drop_table(&client, &table).await;

    let (records, api, _export) =
        start_with_records_table(EXPORT, "rossum-annotation-export").await;
    let route = rossum_functions::ANNOTATION_EXPORT.route;
    let mut failing = with_checks(export_payload());
    set_datapoint(&mut failing, "amount_total", "3100.00");
    let event = signed_event(route, &bytes(&failing), DEVELOPMENT_SECRET);
    let (status, answer) = invoke(&api, &event).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        shown(&answer).0,
        [
            error(AMOUNT_TOTAL_ID, FACE_VALUE),
            error(AMOUNT_TOTAL_ID, LINES)
        ],
        "{answer}"
    );
    assert_eq!(
        records.store.export(ANNOTATION_ID).await.unwrap(),
        None,
        "an error writes nothing"
    );

    let mut passing = with_checks(export_payload());
    // A new delivery (Rossum's export after the user corrected the total).
    passing["request_id"] = json!("3f0c2a51-7d4e-4b8a-9c61-2e5d8f9a0b14");
    let event = signed_event(route, &bytes(&passing), DEVELOPMENT_SECRET);
    let (status, answer) = invoke(&api, &event).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, json!({"messages": [], "operations": []}));
    let record = records.store.export(ANNOTATION_ID).await.unwrap();
    assert_eq!(record.map(|r| r.vendor_id).as_deref(), Some("V-10027"));
    records.drop_table().await;
}
