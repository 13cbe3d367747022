//! Rossum's five published equality-only queries (`mdh-examples.json` in the handbook folder
//! beside the repository), run unchanged as a configuration's query against generated
//! datasets of the shape they expect: the record whose fields equal the annotation's values
//! is matched, records differing in case or in one of the fields are not, with the fields
//! indexed together or only the first indexed and the rest filtering.

use std::path::PathBuf;

use dataset_matching::Trigger;
use dataset_store::InMemoryDatasetStore;
use serde_json::{Map, Value, json};

use crate::annotation::*;

fn equality_only_queries() -> Option<Vec<(String, Value)>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/mdh-examples.json");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!(
            "skipped: {} is absent (the handbook folder beside the repository)",
            path.display()
        );
        return None;
    };
    let examples: Vec<Value> = serde_json::from_slice(&bytes).expect("mdh-examples.json is JSON");
    Some(
        examples
            .into_iter()
            .filter(|e| e["equality_only"] == json!(true))
            .map(|e| {
                // The Dataset Management page types the filter without its "find" wrapper.
                let query = match e["kind"].as_str() {
                    Some("find_filter") => json!({"find": e["config"]}),
                    _ => e["config"].clone(),
                };
                (e["id"].as_str().unwrap_or_default().to_owned(), query)
            })
            .collect(),
    )
}

/// What the generated annotation holds in the datapoint a placeholder names.
fn extracted(schema_id: &str) -> String {
    format!("Extracted {schema_id} 0042")
}

#[tokio::test]
async fn the_published_equality_queries_match_the_record_they_describe() {
    let Some(queries) = equality_only_queries() else {
        return;
    };
    assert_eq!(queries.len(), 5, "the reference lists five");
    for (id, query) in queries {
        let find: &Map<String, Value> = query["find"].as_object().unwrap();
        let placeholder = |template: &Value| -> String {
            let text = template.as_str().unwrap();
            text.trim_matches(|c| c == '{' || c == '}').to_owned()
        };
        // The record every field of the query describes, and decoys that are each one
        // difference away from it.
        let mut wanted = Map::new();
        for (field, template) in find {
            wanted.insert(field.clone(), json!(extracted(&placeholder(template))));
        }
        let mut records = Vec::new();
        let (first, _) = find.iter().next().unwrap();
        let mut other_case = wanted.clone();
        other_case.insert(
            first.clone(),
            json!(extracted(&placeholder(&find[first])).to_uppercase()),
        );
        other_case.insert("record_id".to_owned(), json!("decoy-case"));
        records.push(Value::Object(other_case));
        for (field, _) in find.iter().skip(1) {
            let mut other_field = wanted.clone();
            other_field.insert(field.clone(), json!("something else"));
            other_field.insert("record_id".to_owned(), json!(format!("decoy-{field}")));
            records.push(Value::Object(other_field));
        }
        let mut matching = wanted.clone();
        matching.insert("record_id".to_owned(), json!("the-one"));
        records.push(Value::Object(matching));

        let mut nodes = vec![datapoint(90, "vendor_match", "")];
        for (i, template) in find.values().enumerate() {
            let schema_id = placeholder(template);
            nodes.push(datapoint(91 + i as u64, &schema_id, &extracted(&schema_id)));
        }
        let content = content(nodes);
        let config = settings(json!([{
            "name": id,
            "source": {"dataset": "vendors", "queries": [query]},
            "mapping": {"target_schema_id": "vendor_match", "dataset_key": "record_id"},
            "result_actions": {"one_match_found": {"select": "best_match"},
                               "multiple_matches_found": {"select": "best_match"}}
        }]));
        let all_fields = find.keys().cloned().collect::<Vec<_>>().join("+");
        for index in [all_fields.as_str(), first.as_str()] {
            let store = InMemoryDatasetStore::new([dataset(
                "vendors",
                Value::Array(records.clone()),
                &[index],
                &[],
            )]);
            let answer = run(&config, &content, Trigger::Initialize, &[], &store)
                .await
                .unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(
                replaced(&answer, 90),
                Some(("the-one".to_owned(), vec![option("the-one", "the-one")])),
                "{id}, index {index}: {answer:?}"
            );
            assert!(answer.warnings.is_empty(), "{id}: {:?}", answer.warnings);
        }
    }
}
