//! Annotations and datasets for the tests, shaped as Rossum sends and MDH stores them.

use dataset_matching::{Annotation, MatchingAnswer, MatchingError, Trigger, run_matching};
use dataset_store::{Dataset, InMemoryDatasetStore, IndexSpec};
use matching_config::MatchingSettings;
use serde_json::{Value, json};
use webhook_model::rossum::{EnumOption, Message, MessageType, Node, Operation};

pub fn datapoint(id: u64, schema_id: &str, value: &str) -> Value {
    json!({"id": id, "schema_id": schema_id, "category": "datapoint", "content": {"value": value}})
}

/// A line-item table: `rows` of `(schema_id, value)` cells; row `r`'s cell `c` has id
/// `id * 1000 + r * 10 + c`.
pub fn table(id: u64, rows: &[&[(&str, &str)]]) -> Value {
    let tuples: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(r, cells)| {
            let children: Vec<Value> = cells
                .iter()
                .enumerate()
                .map(|(c, (schema_id, value))| datapoint(cell_id(id, r, c), schema_id, value))
                .collect();
            json!({"id": id * 1000 + r as u64 * 10 + 9, "schema_id": "line_item",
                   "category": "tuple", "children": children})
        })
        .collect();
    json!({"id": id, "schema_id": "line_items", "category": "multivalue", "children": tuples})
}

pub fn cell_id(table: u64, row: usize, column: usize) -> u64 {
    table * 1000 + row as u64 * 10 + column as u64
}

pub fn content(nodes: Vec<Value>) -> Vec<Node> {
    serde_json::from_value(json!([{"id": 1, "schema_id": "basic_info_section",
                                   "category": "section", "children": nodes}]))
    .expect("content")
}

pub fn settings(configurations: Value) -> MatchingSettings {
    MatchingSettings::from_hook_settings(&json!({ "configurations": configurations }))
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("configurations")
}

pub fn dataset(name: &str, records: Value, indexes: &[&str], fuzzy: &[&str]) -> Dataset {
    let Value::Array(records) = records else {
        panic!("records are a list")
    };
    Dataset::new(
        name,
        records,
        indexes
            .iter()
            .map(|i| IndexSpec::parse(i).unwrap())
            .collect(),
        fuzzy.iter().map(|f| (*f).to_owned()).collect(),
    )
}

pub fn vendors() -> Dataset {
    dataset(
        "vendors",
        json!([
            {"vendor_id": "V-100", "name": "Northwind Consulting BV", "vat_id": "NL853122947B01", "city": "Utrecht", "iban": "NL91ABNA0417164300"},
            {"vendor_id": "V-200", "name": "Contoso Supplies GmbH", "vat_id": "DE129273398", "city": "Berlin", "iban": "DE89370400440532013000"},
            {"vendor_id": "V-201", "name": "Contoso Supplies GmbH (Munich)", "vat_id": "DE129273398", "city": "Munich", "iban": "DE02700100800030876808"},
            {"vendor_id": 300, "name": "Numbered Vendor", "vat_id": "CZ300", "city": "Brno"}
        ]),
        &["vat_id", "vendor_id"],
        &["name"],
    )
}

/// Runs the `configurations` over `content` on `initialize`; they must run.
pub async fn initialize(
    configurations: Value,
    content: &[Node],
    store: &InMemoryDatasetStore,
) -> MatchingAnswer {
    run(
        &settings(configurations),
        content,
        Trigger::Initialize,
        &[],
        store,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `settings` over `content` for `trigger`, with `updated` ids changed.
pub async fn run(
    settings: &MatchingSettings,
    content: &[Node],
    trigger: Trigger,
    updated: &[u64],
    store: &InMemoryDatasetStore,
) -> Result<MatchingAnswer, MatchingError> {
    run_with(settings, content, None, trigger, updated, store).await
}

pub async fn run_with(
    settings: &MatchingSettings,
    content: &[Node],
    schemas: Option<&Value>,
    trigger: Trigger,
    updated: &[u64],
    store: &InMemoryDatasetStore,
) -> Result<MatchingAnswer, MatchingError> {
    let annotation = Annotation {
        content,
        schemas,
        queue_url: Some("https://example.rossum.app/api/v1/queues/24710"),
        trigger,
        updated_datapoints: updated,
    };
    run_matching(settings, &annotation, store).await
}

/// The value and options the answer sets on datapoint `id`, if it replaces it.
pub fn replaced(answer: &MatchingAnswer, id: u64) -> Option<(String, Vec<(String, String)>)> {
    answer
        .operations
        .iter()
        .find_map(|operation| match operation {
            Operation::Replace {
                id: replaced,
                value,
            } if *replaced == id => Some((
                value
                    .content
                    .as_ref()
                    .map(|c| c.value.clone())
                    .unwrap_or_default(),
                value
                    .options
                    .iter()
                    .flatten()
                    .map(|EnumOption { value, label }| (value.clone(), label.clone()))
                    .collect(),
            )),
            _ => None,
        })
}

pub fn option(value: &str, label: &str) -> (String, String) {
    (value.to_owned(), label.to_owned())
}

pub fn messages_on(answer: &MatchingAnswer, id: u64) -> Vec<(MessageType, &str)> {
    answer
        .messages
        .iter()
        .filter(|Message { id: on, .. }| *on == Some(id))
        .map(|m| (m.kind, m.content.as_str()))
        .collect()
}

/// A store that counts the keys and values each lookup asks for.
pub struct Counting {
    pub inner: InMemoryDatasetStore,
    pub asked: std::sync::Mutex<Vec<usize>>,
}

impl Counting {
    pub fn new(inner: InMemoryDatasetStore) -> Self {
        Self {
            inner,
            asked: std::sync::Mutex::default(),
        }
    }

    pub fn asked(&self) -> Vec<usize> {
        self.asked.lock().unwrap().clone()
    }
}

impl dataset_store::DatasetStore for Counting {
    fn describe<'a>(
        &'a self,
        names: &'a [String],
    ) -> dataset_store::StoreFuture<'a, std::collections::HashMap<String, dataset_store::DatasetInfo>>
    {
        self.inner.describe(names)
    }

    fn find<'a>(
        &'a self,
        dataset: &'a dataset_store::DatasetInfo,
        index: &'a IndexSpec,
        keys: &'a [String],
    ) -> dataset_store::StoreFuture<'a, Vec<Vec<dataset_store::StoredRecord>>> {
        self.asked.lock().unwrap().push(keys.len());
        self.inner.find(dataset, index, keys)
    }

    fn fuzzy_candidates<'a>(
        &'a self,
        dataset: &'a dataset_store::DatasetInfo,
        field: &'a str,
        values: &'a [String],
    ) -> dataset_store::StoreFuture<'a, Vec<Vec<dataset_store::StoredRecord>>> {
        self.asked.lock().unwrap().push(values.len());
        self.inner.fuzzy_candidates(dataset, field, values)
    }
}

/// [`run_with`] against any store.
pub async fn run_on(
    settings: &MatchingSettings,
    content: &[Node],
    trigger: Trigger,
    updated: &[u64],
    store: &dyn dataset_store::DatasetStore,
) -> Result<MatchingAnswer, MatchingError> {
    let annotation = Annotation {
        content,
        schemas: None,
        queue_url: None,
        trigger,
        updated_datapoints: updated,
    };
    run_matching(settings, &annotation, store).await
}
