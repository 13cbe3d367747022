//! The initialize and updated hooks with Master Data Hub `configurations` in their settings:
//! matched against the datasets instead of the built-in vendor matching, a configuration
//! that cannot run refused with 400 naming it, unreadable datasets a 503 on initialize and a
//! warning on updated.

use std::sync::Arc;

use dataset_store::{
    Dataset, DatasetStore, InMemoryDatasetStore, IndexSpec, UnavailableDatasetStore,
};
use rossum_functions::annotation_updated::DATASETS_UNAVAILABLE;
use rossum_functions::{ANNOTATION_INITIALIZE, ANNOTATION_UPDATED};
use serde_json::{Value, json};
use webhook_function::Function;

use crate::support::{
    SIGNATURE, VENDOR_MATCH_ID, assert_refused, bytes, configured, given, initialize_sample,
    signature,
};

fn vendors() -> InMemoryDatasetStore {
    let records = vec![
        json!({"vendor_id": "V-10027", "name": "Northwind Consulting B.V.", "vat_id": "NL 8531.22.947.B01", "city": "Amsterdam"}),
        json!({"vendor_id": "V-10031", "name": "Contoso Office Supplies Ltd", "vat_id": "GB123456789", "city": "London"}),
    ];
    InMemoryDatasetStore::new([Dataset::new(
        "vendors",
        records,
        vec![IndexSpec::parse("vat_id").unwrap()],
        vec!["name".to_owned()],
    )])
}

fn vendor_configuration() -> Value {
    json!({
        "name": "Vendor by VAT id",
        "source": {"dataset": "vendors", "queries": [{"find": {"vat_id": "{sender_vat_id}"}}]},
        "mapping": {"target_schema_id": "vendor_match", "dataset_key": "vendor_id",
                    "label_template": "{name}, {city} ({vendor_id})"},
        "result_actions": {
            "one_match_found": {"select": "best_match"},
            "no_match_found": {"message": {"type": "error", "content": "Vendor not in the master data"}}}
    })
}

/// The sample delivery for `action` with `configurations` in its settings.
fn delivery(action: &str, configurations: Value) -> Vec<u8> {
    let mut payload = initialize_sample();
    payload["action"] = json!(action);
    payload["settings"]["configurations"] = configurations;
    if action == "updated" {
        payload["updated_datapoints"] = json!([6600012]);
    }
    bytes(&payload)
}

async fn call(function: &Function, datasets: Arc<dyn DatasetStore>, body: &[u8]) -> (u16, Value) {
    let endpoint = function.build(&configured(), &given().with_datasets(datasets));
    let signature = signature(crate::support::SECRET, body);
    let (status, _, answer) =
        webhook_test_support::respond(&endpoint, &[(SIGNATURE, signature.as_str())], body).await;
    (status, answer)
}

fn replaced_value(answer: &Value, id: u64) -> Option<&str> {
    answer["operations"]
        .as_array()?
        .iter()
        .find(|op| op["id"] == id)
        .and_then(|op| op["value"]["content"]["value"].as_str())
}

#[tokio::test]
async fn configurations_match_against_the_datasets_instead_of_the_vendor_matching() {
    // No vendor store is given: with configurations the built-in matching does not run.
    for (function, action) in [
        (&ANNOTATION_INITIALIZE, "initialize"),
        (&ANNOTATION_UPDATED, "updated"),
    ] {
        let (status, answer) = call(
            function,
            Arc::new(vendors()),
            &delivery(action, json!([vendor_configuration()])),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(
            replaced_value(&answer, VENDOR_MATCH_ID),
            Some("V-10027"),
            "{answer}"
        );
        let option = answer["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|op| op["id"] == VENDOR_MATCH_ID)
            .map(|op| op["value"]["options"].clone());
        assert_eq!(
            option,
            Some(
                json!([{"value": "V-10027", "label": "Northwind Consulting B.V., Amsterdam (V-10027)"}])
            )
        );
        // The zero-VAT rule still runs beside matching.
        assert_eq!(replaced_value(&answer, 6601015), Some("0.0"), "{answer}");
    }
}

#[tokio::test]
async fn an_unmatched_vendor_blocks_automation_with_the_configured_message() {
    let mut payload: Value =
        serde_json::from_slice(&delivery("initialize", json!([vendor_configuration()]))).unwrap();
    crate::support::set_datapoint(&mut payload, "sender_vat_id", "XX999");
    let (status, answer) = call(
        &ANNOTATION_INITIALIZE,
        Arc::new(vendors()),
        &bytes(&payload),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let on_target: Vec<&Value> = answer["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["id"] == VENDOR_MATCH_ID)
        .collect();
    assert_eq!(on_target.len(), 1, "{answer}");
    assert_eq!(on_target[0]["content"], "Vendor not in the master data");
    assert!(
        answer["automation_blockers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["id"] == VENDOR_MATCH_ID),
        "{answer}"
    );
}

#[tokio::test]
async fn a_configuration_that_cannot_run_is_a_400_naming_it() {
    let mut aggregate = vendor_configuration();
    aggregate["source"]["queries"] =
        json!([{"aggregate": [{"$match": {"vat_id": "{sender_vat_id}"}}]}]);
    let mut unindexed = vendor_configuration();
    unindexed["source"]["queries"] = json!([{"find": {"city": "{sender_vat_id}"}}]);
    for (function, action) in [
        (&ANNOTATION_INITIALIZE, "initialize"),
        (&ANNOTATION_UPDATED, "updated"),
    ] {
        for (configuration, named) in [(&aggregate, "aggregate"), (&unindexed, "--index city")] {
            let body = delivery(action, json!([configuration]));
            let (status, answer) = call(function, Arc::new(vendors()), &body).await;
            assert_refused(status, &answer, 400, "malformed_body");
            let said = answer["messages"][0]["content"].as_str().unwrap();
            assert!(
                said.contains("configurations[0]") && said.contains(named),
                "{said}"
            );
        }
    }
}

#[tokio::test]
async fn unreadable_datasets_are_retried_on_initialize_and_a_warning_on_updated() {
    let down: Arc<dyn DatasetStore> =
        Arc::new(UnavailableDatasetStore::new("the table is throttled"));
    let (status, answer) = call(
        &ANNOTATION_INITIALIZE,
        down.clone(),
        &delivery("initialize", json!([vendor_configuration()])),
    )
    .await;
    assert_refused(status, &answer, 503, "temporarily_unavailable");
    let (status, answer) = call(
        &ANNOTATION_UPDATED,
        down,
        &delivery("updated", json!([vendor_configuration()])),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["messages"][0]["content"], DATASETS_UNAVAILABLE,
        "{answer}"
    );
    assert_eq!(replaced_value(&answer, VENDOR_MATCH_ID), None);
}

/// The shipped `events/master-data/vendors.matching.json` over `vendors.csv` imported as a
/// dataset, and the built-in vendor matching over the same file: the same vendor chosen, the
/// same options, the same kind of message and blocker, for every way a supplier is found.
#[tokio::test]
async fn the_shipped_vendor_configuration_answers_as_the_built_in_vendor_matching() {
    use rossum_functions::annotation_initialize::{respond, respond_with};
    use rossum_functions::master_data::Matcher;
    use rossum_rules::Settings;
    use webhook_model::rossum::{AnnotationContentEvent, HookResponse, Operation};

    let shipped: Value = serde_json::from_slice(include_bytes!(
        "../../../../../events/master-data/vendors.matching.json"
    ))
    .unwrap();
    let configurations = matching_config::MatchingSettings::from_hook_settings(&shipped)
        .unwrap()
        .unwrap();
    assert!(
        configurations.warnings.is_empty(),
        "{:?}",
        configurations.warnings
    );
    let read = dataset_store::read_dataset_file(&crate::support::sample_vendor_file()).unwrap();
    assert!(read.rejected.is_empty(), "{:?}", read.rejected);
    let datasets = InMemoryDatasetStore::new([Dataset::new(
        "vendors",
        read.records,
        vec![
            IndexSpec::parse("vat_id").unwrap(),
            IndexSpec::parse("iban").unwrap(),
        ],
        vec!["name".to_owned()],
    )]);
    let vendors = crate::support::sample_vendors();

    /// The vendor target's value and options, the kinds of its messages, and its blockers.
    fn vendor_answer(response: &HookResponse) -> (Option<Value>, Vec<String>, usize) {
        let target = response.operations.iter().find_map(|op| match op {
            Operation::Replace { id, value } if *id == VENDOR_MATCH_ID => {
                Some(serde_json::to_value(value).unwrap())
            }
            _ => None,
        });
        let kinds = response
            .messages
            .iter()
            .filter(|m| m.id == Some(VENDOR_MATCH_ID))
            .map(|m| format!("{:?}", m.kind))
            .collect();
        let blockers = response
            .automation_blockers
            .iter()
            .filter(|b| b.id == Some(VENDOR_MATCH_ID))
            .count();
        (target, kinds, blockers)
    }

    let cases: [(&str, &str, &str, &str); 6] = [
        (
            "the sample, its VAT id formatted",
            "NL 8531.22.947.B01",
            "NL91 ABNA 0417 1643 00",
            "Northwind Consulting B.V.",
        ),
        ("by VAT id", "GB123456789", "", "Someone Else"),
        (
            "by IBAN",
            "XX000",
            "SE4550000000058398257466",
            "Someone Else",
        ),
        ("by a misspelt name", "XX000", "", "Fabrikam Logistic SA"),
        (
            "two branches share a VAT id",
            "FI20774740",
            "",
            "Adventure Works",
        ),
        (
            "no such vendor",
            "XX000",
            "XX00 0000",
            "Unheard Of Holdings",
        ),
    ];
    for (case, vat, iban, name) in cases {
        let mut payload = initialize_sample();
        crate::support::set_datapoint(&mut payload, "sender_vat_id", vat);
        crate::support::set_datapoint(&mut payload, "iban", iban);
        crate::support::set_datapoint(&mut payload, "sender_name", name);
        let event: AnnotationContentEvent = serde_json::from_value(payload).unwrap();
        let settings = Settings::default();
        let built_in = respond(&event, &settings, &vendors).await.unwrap();
        let configured = respond_with(
            &event,
            &settings,
            Matcher::Configured {
                settings: &configurations,
                datasets: &datasets,
            },
        )
        .await
        .unwrap();
        let (built_in, configured) = (vendor_answer(&built_in), vendor_answer(&configured));
        assert_eq!(configured, built_in, "{case}");
        if case != "no such vendor" {
            assert!(built_in.0.is_some(), "{case}: a vendor is chosen");
        }
    }
}

#[tokio::test]
async fn hostile_configurations_are_refused_naming_the_bound() {
    let huge_label = {
        let mut c = vendor_configuration();
        c["mapping"]["label_template"] = json!("{name}".repeat(200_000));
        json!([c])
    };
    let nested_find = {
        let mut value = json!("{sender_vat_id}");
        for _ in 0..100 {
            value = json!({ "$eq": value });
        }
        let mut c = vendor_configuration();
        c["source"]["queries"] = json!([{"find": {"vat_id": value}}]);
        json!([c])
    };
    let cases = [
        (
            "10 000 configurations",
            json!(vec![vendor_configuration(); 10_000]),
            "configurations",
        ),
        ("a 1.2 MB label template", huge_label, "allowed"),
        ("a find nested 100 deep", nested_find, "configurations[0]"),
    ];
    for (case, configurations, named) in cases {
        let body = delivery("initialize", configurations);
        let (status, answer) = call(&ANNOTATION_INITIALIZE, Arc::new(vendors()), &body).await;
        assert_refused(status, &answer, 400, "malformed_body");
        let said = answer["messages"][0]["content"].as_str().unwrap();
        assert!(said.contains(named), "{case}: {said}");
    }
}
