//! Configurations as MDH documents them: what is read, what is refused and where.

use matching_config::{
    Configuration, FindValue, Label, MAX_CONFIGURATIONS, MatchingSettings, Query, Select,
};
use serde_json::{Value, json};

/// The documented configuration, with an equality find (rossum-mdh.md, section 2).
pub fn vendor_by_vat() -> Value {
    json!({"configurations": [{
        "name": "Vendor by VAT ID",
        "queue_ids": [24710],
        "source": {"dataset": "vendors", "queries": [{"find": {"vat_id": "{sender_vat_id}"}}]},
        "default": {"label": "---", "value": ""},
        "mapping": {"target_schema_id": "vendor_match", "dataset_key": "vendor_id",
                    "label_template": "{name}, {city} ({vendor_id})"},
        "additional_mappings": [{"target_schema_id": "vendor_iban_match", "dataset_key": "iban"}],
        "result_actions": {
            "no_match_found": {"select": "default", "message": {"type": "error", "content": "Vendor not found"}},
            "one_match_found": {"select": "best_match"},
            "multiple_matches_found": {"select": "default", "message": {"type": "warning", "content": "Multiple matches found"}}},
        "action_condition": "'{sender_vat_id}' != ''"}]})
}

fn read(settings: &Value) -> MatchingSettings {
    MatchingSettings::from_hook_settings(settings)
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("configurations")
}

fn refusal(settings: &Value) -> String {
    MatchingSettings::from_hook_settings(settings)
        .expect_err("refused")
        .to_string()
}

/// `vendor_by_vat` with `edit` applied to its one configuration.
fn edited(edit: impl FnOnce(&mut Value)) -> Value {
    let mut settings = vendor_by_vat();
    edit(&mut settings["configurations"][0]);
    settings
}

#[test]
fn the_documented_configuration_is_read_whole() {
    let settings = read(&vendor_by_vat());
    assert!(settings.warnings.is_empty(), "{:?}", settings.warnings);
    let [configuration]: [Configuration; 1] = settings.configurations.try_into().unwrap();
    assert_eq!(configuration.name, "Vendor by VAT ID");
    assert_eq!(configuration.queue_ids, [24710]);
    let Query::Find(fields) = &configuration.queries[0] else {
        panic!("a find")
    };
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].0.dotted().as_deref(), Some("vat_id"));
    let FindValue::Text(value) = &fields[0].1 else {
        panic!("a text value")
    };
    assert_eq!(value.sole_placeholder(), Some("sender_vat_id"));
    assert_eq!(
        configuration.targets().collect::<Vec<_>>(),
        ["vendor_match", "vendor_iban_match"]
    );
    assert_eq!(
        configuration.schema_ids().into_iter().collect::<Vec<_>>(),
        ["sender_vat_id"]
    );
    assert_eq!(configuration.default.label, "---");
    assert_eq!(
        configuration.result_actions.one_match_found.select,
        Select::BestMatch
    );
    let no_match = &configuration.result_actions.no_match_found;
    assert_eq!(no_match.select, Select::Default);
    assert_eq!(
        no_match
            .message
            .as_ref()
            .map(|m| (m.kind.as_str(), m.content.as_str())),
        Some(("error", "Vendor not found"))
    );
    let record = json!({"vendor_id": "V1", "name": "Acme", "city": "Brno", "iban": "CZ65"});
    assert_eq!(
        configuration.mapping.label.render(&record, "V1"),
        "Acme, Brno (V1)"
    );
    assert_eq!(configuration.additional_mappings[0].label, Label::Value);
    assert_eq!(configuration.max_options, 10);
    let holds = |vat: &'static str| {
        configuration
            .action_condition
            .as_ref()
            .unwrap()
            .holds(&|id: &str| (id == "sender_vat_id").then_some(vat))
    };
    assert_eq!((holds("CZ1"), holds("")), (Ok(true), Ok(false)));
}

#[test]
fn settings_without_configurations_are_not_matching_settings() {
    assert_eq!(
        MatchingSettings::from_hook_settings(&json!({"vat_rate_schema_id": "x"})),
        Ok(None)
    );
    assert_eq!(MatchingSettings::from_hook_settings(&Value::Null), Ok(None));
}

#[test]
fn queue_ids_select_annotations_by_their_queue_url() {
    let settings = read(&vendor_by_vat());
    let configuration = &settings.configurations[0];
    assert!(configuration.applies_to_queue(Some("https://example.rossum.app/api/v1/queues/24710")));
    assert!(
        configuration.applies_to_queue(Some("https://example.rossum.app/api/v1/queues/24710/"))
    );
    assert!(!configuration.applies_to_queue(Some("https://example.rossum.app/api/v1/queues/1")));
    assert!(!configuration.applies_to_queue(None));
    let every_queue = read(&edited(|c| c["queue_ids"] = json!([])));
    assert!(every_queue.configurations[0].applies_to_queue(None));
}

#[test]
fn unknown_keys_are_warnings_naming_them_and_comments_are_silent() {
    let settings = read(&edited(|c| {
        c["//"] = json!("a comment");
        c["colour"] = json!("blue");
        c["mapping"]["labell_template"] = json!("{name}");
        c["source"]["queries"][0]["//"] = json!("by VAT id");
    }));
    assert_eq!(
        settings.warnings,
        [
            "configurations[0] (\"Vendor by VAT ID\").mapping: unknown key \"labell_template\" ignored",
            "configurations[0] (\"Vendor by VAT ID\"): unknown key \"colour\" ignored",
        ]
    );
}

#[test]
fn what_is_not_supported_is_refused_naming_its_place() {
    let at = "configurations[0] (\"Vendor by VAT ID\")";
    for (edit, says) in [
        (
            Box::new(|c: &mut Value| {
                c["source"]["queries"] =
                    json!([{"find": {"a": "{x}"}}, {"aggregate": [{"$match": {}}]}])
            }) as Box<dyn FnOnce(&mut Value)>,
            format!("{at}.source.queries[1]: aggregate queries are not supported"),
        ),
        (
            Box::new(|c: &mut Value| {
                c["source"]["queries"] = json!([{"url": "https://ec.europa.eu", "method": "GET"}])
            }),
            format!("{at}.source.queries[0]: queries to HTTP APIs are not supported"),
        ),
        (
            Box::new(|c: &mut Value| c["source"]["auth"] = json!({"url": "https://x"})),
            format!("{at}.source.auth: queries to HTTP APIs are not supported"),
        ),
        (
            Box::new(|c: &mut Value| {
                c["source"]["queries"][0]["find"] = json!({"name": {"$regex": "acme"}})
            }),
            format!("{at}.source.queries[0].find.name: the operator \"$regex\" is not supported"),
        ),
        (
            Box::new(|c: &mut Value| {
                c["source"]["queries"][0]["find"] = json!({"$or": [{"a": 1}]})
            }),
            format!("{at}.source.queries[0].find: the operator \"$or\" is not supported"),
        ),
        (
            Box::new(|c: &mut Value| c["source"]["queries"][0]["find"] = json!({})),
            format!("{at}.source.queries[0].find: needs at least one field"),
        ),
        (
            Box::new(|c: &mut Value| c["source"]["queries"][0]["sort"] = json!({"name": 1})),
            format!("{at}.source.queries[0].sort: is not supported"),
        ),
        (
            Box::new(|c: &mut Value| c["action_condition"] = json!("len('{sender_vat_id}') > 0")),
            format!("{at}.action_condition: \"len\""),
        ),
        (
            Box::new(|c: &mut Value| {
                c["result_actions"]["one_match_found"]["select"] = json!("first")
            }),
            format!("{at}.result_actions.one_match_found.select: \"first\" is not one of"),
        ),
        (
            Box::new(|c: &mut Value| c["mapping"]["label_keys"] = json!(["name"])),
            format!("{at}.mapping: has both label_template and label_keys"),
        ),
        (
            Box::new(|c: &mut Value| c["mapping"]["target_schema_id"] = json!("vendor match")),
            format!("{at}.mapping.target_schema_id: \"vendor match\" is not a schema id"),
        ),
        (
            Box::new(|c: &mut Value| c["queue_ids"] = json!(["24710"])),
            format!("{at}.queue_ids: each must be a queue id"),
        ),
        (
            Box::new(|c: &mut Value| c["max_options"] = json!(0)),
            format!("{at}.max_options: must be a whole number from 1 to 100"),
        ),
        (
            Box::new(|c: &mut Value| c["source"]["dataset"] = json!("{queue_country | re}")),
            format!("{at}.source.dataset: placeholder filters"),
        ),
        (
            Box::new(|c: &mut Value| {
                c.as_object_mut().unwrap().remove("mapping");
            }),
            format!("{at}.mapping: is required"),
        ),
    ] {
        let error = refusal(&edited(edit));
        assert!(error.contains(&says), "expected {says:?} in: {error}");
    }
}

#[test]
fn hostile_sizes_are_refused_before_anything_is_built() {
    let one = vendor_by_vat()["configurations"][0].clone();
    let many = json!({"configurations": vec![one; MAX_CONFIGURATIONS + 1]});
    assert!(refusal(&many).contains("101 configurations, more than the 100 allowed"));
    let fields: serde_json::Map<String, Value> =
        (0..21).map(|i| (format!("f{i}"), json!("{x}"))).collect();
    let wide = edited(|c| c["source"]["queries"][0]["find"] = Value::Object(fields));
    assert!(refusal(&wide).contains("21 fields, more than the 20 allowed"));
    let nested =
        edited(|c| c["source"]["queries"][0]["find"] = json!({"a": {"b": {"c": {"d": 1}}}}));
    assert!(refusal(&nested).contains("equality with a whole object is not supported"));
    let huge_label = edited(|c| c["mapping"]["label_template"] = json!("{name}".repeat(1000)));
    assert!(refusal(&huge_label).contains("longer than the 4096 allowed"));
    let queries =
        edited(|c| c["source"]["queries"] = json!(vec![json!({"find": {"a": "{x}"}}); 21]));
    assert!(refusal(&queries).contains("21 queries, more than the 20 allowed"));
}

#[test]
fn eq_is_equality_written_out_and_literals_stay_typed() {
    let settings = read(&edited(|c| {
        c["source"]["queries"][0]["find"] =
            json!({"vat_id": {"$eq": "{sender_vat_id}"}, "active": true, "rank": 3});
    }));
    let Query::Find(fields) = &settings.configurations[0].queries[0] else {
        panic!("a find")
    };
    assert!(
        matches!(&fields[0].1, FindValue::Literal(v) if *v == json!(true)),
        "{fields:?}"
    );
    assert!(
        matches!(&fields[1].1, FindValue::Literal(v) if *v == json!(3)),
        "{fields:?}"
    );
    assert!(
        matches!(&fields[2].1, FindValue::Text(t) if t.sole_placeholder() == Some("sender_vat_id")),
        "{fields:?}"
    );
}

#[test]
fn a_fuzzy_query_takes_its_threshold_or_the_default() {
    let settings = read(&edited(|c| {
        c["source"]["queries"] = json!([
            {"fuzzy": {"field": "name", "value": "{sender_name}"}},
            {"fuzzy": {"field": "name", "value": "{sender_name}", "threshold": 0.8}}
        ]);
    }));
    let thresholds: Vec<f64> = settings.configurations[0]
        .queries
        .iter()
        .map(|q| match q {
            Query::Fuzzy { threshold, .. } => *threshold,
            Query::Find(_) => panic!("fuzzy"),
        })
        .collect();
    assert_eq!(thresholds, [0.6, 0.8]);
    let refused = edited(|c| {
        c["source"]["queries"] =
            json!([{"fuzzy": {"field": "name", "value": "{x}", "threshold": 1.5}}])
    });
    assert!(refusal(&refused).contains("threshold: must be a number above 0 and at most 1"));
}
