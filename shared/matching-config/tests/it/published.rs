//! Rossum's own configurations (`mdh-examples.json`, from Rossum's public pages and hooks
//! exported from a live organisation): the equality-only ones are read unchanged, every
//! other query kind is refused naming its place, and everything around the queries of the
//! real configurations (mappings, label keys, additional mappings, result actions, action
//! conditions, comments) is read once their queries are equality finds.

use std::path::PathBuf;

use matching_config::{MatchingSettings, Query};
use serde_json::{Value, json};

fn examples() -> Option<Vec<Value>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/mdh-examples.json");
    match std::fs::read(&path) {
        Ok(bytes) => Some(serde_json::from_slice(&bytes).expect("mdh-examples.json is JSON")),
        Err(_) => {
            eprintln!(
                "skipped: {} is absent (the handbook folder beside the repository)",
                path.display()
            );
            None
        }
    }
}

/// `query` as the one query of a configuration of ours.
fn with_query(query: &Value) -> Value {
    json!({"configurations": [{
        "name": "published query",
        "source": {"dataset": "vendors", "queries": [query]},
        "mapping": {"target_schema_id": "vendor_match", "dataset_key": "vendor_id"}
    }]})
}

#[test]
fn the_equality_only_queries_are_read_unchanged() {
    let Some(examples) = examples() else { return };
    let equality_only: Vec<&Value> = examples
        .iter()
        .filter(|e| e["equality_only"] == json!(true))
        .collect();
    assert_eq!(equality_only.len(), 5, "the reference lists five");
    for example in equality_only {
        let config = &example["config"];
        // The Dataset Management page types the filter without its "find" wrapper.
        let query = match example["kind"].as_str() {
            Some("find_filter") => json!({"find": config}),
            _ => config.clone(),
        };
        let settings = MatchingSettings::from_hook_settings(&with_query(&query))
            .unwrap_or_else(|e| panic!("{}: {e}", example["id"]))
            .unwrap();
        let Query::Find(fields) = &settings.configurations[0].queries[0] else {
            panic!("{}: a find", example["id"])
        };
        let names: Vec<String> = fields
            .iter()
            .filter_map(|(path, _)| path.dotted())
            .collect();
        let expected: Vec<String> = query["find"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(names, expected, "{}", example["id"]);
        assert!(
            settings.warnings.is_empty(),
            "{}: {:?}",
            example["id"],
            settings.warnings
        );
    }
}

/// The published configurations' own `configurations` lists, or the one configuration an
/// exported hook holds.
fn published_configurations(examples: &[Value]) -> Vec<(String, Value)> {
    examples
        .iter()
        .filter(|e| e["kind"] == "configuration")
        .flat_map(|e| {
            let config = &e["config"];
            let list = match config.get("configurations") {
                Some(Value::Array(list)) => list.clone(),
                _ => vec![config.clone()],
            };
            let id = e["id"].as_str().unwrap_or_default().to_owned();
            list.into_iter().map(move |c| (id.clone(), c))
        })
        .collect()
}

#[test]
fn every_other_query_kind_is_refused_naming_the_configuration_and_the_query() {
    let Some(examples) = examples() else { return };
    let published = published_configurations(&examples);
    assert!(published.len() >= 15, "{} configurations", published.len());
    for (id, configuration) in &published {
        let error =
            MatchingSettings::from_hook_settings(&json!({"configurations": [configuration]}))
                .expect_err(id)
                .to_string();
        assert!(error.contains("configurations[0]"), "{id}: {error}");
        assert!(
            error.contains(".source.queries[") || error.contains(".source.auth"),
            "{id}: {error}"
        );
        assert!(error.contains("not supported"), "{id}: {error}");
    }
    for example in examples
        .iter()
        .filter(|e| e["kind"] == "query" && e["equality_only"] != json!(true))
    {
        let error = MatchingSettings::from_hook_settings(&with_query(&example["config"]))
            .expect_err(example["id"].as_str().unwrap())
            .to_string();
        assert!(
            error.contains("configurations[0] (\"published query\").source.queries[0]"),
            "{}: {error}",
            example["id"]
        );
    }
}

#[test]
fn what_surrounds_the_queries_of_real_configurations_is_read() {
    let Some(examples) = examples() else { return };
    let complete = published_configurations(&examples)
        .into_iter()
        // One HTTP example shows only its source.
        .filter(|(_, configuration)| configuration.get("mapping").is_some());
    let mut read_count = 0;
    for (id, mut configuration) in complete {
        read_count += 1;
        let queries = configuration["source"]["queries"]
            .as_array()
            .map_or(1, Vec::len);
        configuration["source"]["queries"] =
            json!(vec![json!({"find": {"id": "{document_id}"}}); queries]);
        if let Some(source) = configuration["source"].as_object_mut() {
            source.remove("auth");
            // The HTTP examples name no dataset.
            source.entry("dataset").or_insert(json!("vendors"));
        }
        let settings =
            MatchingSettings::from_hook_settings(&json!({"configurations": [configuration]}))
                .unwrap_or_else(|e| panic!("{id}: {e}"))
                .unwrap();
        assert!(
            settings.warnings.is_empty(),
            "{id}: {:?}",
            settings.warnings
        );
        let read = &settings.configurations[0];
        assert_eq!(read.queries.len(), queries, "{id}");
        assert!(!read.mapping.target_schema_id.is_empty(), "{id}");
    }
    assert!(read_count >= 15, "{read_count} configurations read");
}
