//! Annotations and settings for the tests.

use business_rules::{RulesAnswer, RulesError, RulesInput, RulesSettings, Trigger, run_checks};
use expression_engine::Date;
use serde_json::{Value, json};
use webhook_model::rossum::{MessageType, Node};

pub fn datapoint(id: u64, schema_id: &str, value: &str) -> Value {
    json!({"id": id, "schema_id": schema_id, "category": "datapoint", "content": {"value": value}})
}

/// A line-item table of `rows`, each `(schema_id, value)` cells; row `r`'s cell `c` has id
/// `table * 1000 + r * 10 + c`.
pub fn table(id: u64, rows: &[&[(&str, &str)]]) -> Value {
    let tuples: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(r, cells)| {
            let children: Vec<Value> = cells
                .iter()
                .enumerate()
                .map(|(c, (schema_id, value))| datapoint(cell(id, r, c), schema_id, value))
                .collect();
            json!({"id": id * 1000 + r as u64 * 10 + 9, "schema_id": "line_item",
                   "category": "tuple", "children": children})
        })
        .collect();
    json!({"id": id, "schema_id": "line_items", "category": "multivalue", "children": tuples})
}

pub fn cell(table: u64, row: usize, column: usize) -> u64 {
    table * 1000 + row as u64 * 10 + column as u64
}

pub fn content(nodes: Vec<Value>) -> Vec<Node> {
    serde_json::from_value(
        json!([{"id": 1, "schema_id": "section", "category": "section",
                                   "children": nodes}]),
    )
    .expect("content")
}

pub fn settings(checks: Value) -> RulesSettings {
    RulesSettings::from_hook_settings(&json!({ "checks": checks, "variables": {} }))
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("checks")
}

pub fn today() -> Date {
    Date::from_ymd(2026, 12, 1).unwrap()
}

pub fn run(
    checks: &RulesSettings,
    content: &[Node],
    trigger: Trigger,
    changed: &[u64],
) -> Result<RulesAnswer, RulesError> {
    run_checks(
        checks,
        &RulesInput {
            content,
            queue_url: Some("https://example.rossum.app/api/v1/queues/24710"),
            trigger,
            changed,
            today: today(),
        },
    )
}

/// The answer's messages as `(datapoint, type, text)`.
pub fn messages(answer: &RulesAnswer) -> Vec<(Option<u64>, MessageType, &str)> {
    answer
        .messages
        .iter()
        .map(|m| (m.id, m.kind, m.content.as_str()))
        .collect()
}
