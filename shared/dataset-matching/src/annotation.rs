//! The annotation as matching reads it: its datapoints by schema id
//! ([`ContentIndex`]), the values set so far in this delivery (earlier configurations'
//! results), and which datapoints the schema says hold numbers.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use webhook_model::rossum::{ContentIndex, EnumOption, Node, Place, RowRef};

pub(crate) struct Fields<'a> {
    index: ContentIndex<'a>,
    /// Schema ids whose schema says `enum_value_type: "number"`.
    numbers: HashSet<String>,
    /// Values and options set in this delivery, by datapoint id.
    values: HashMap<u64, String>,
    options: HashMap<u64, Vec<EnumOption>>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(content: &'a [Node], schemas: Option<&Value>) -> Self {
        let mut numbers = HashSet::new();
        if let Some(schemas) = schemas {
            collect_number_ids(schemas, &mut numbers);
        }
        Self {
            index: ContentIndex::new(content),
            numbers,
            values: HashMap::new(),
            options: HashMap::new(),
        }
    }

    pub(crate) fn place(&self, schema_id: &str) -> Place {
        self.index.place(schema_id)
    }

    pub(crate) fn rows(&self, table: usize) -> usize {
        self.index.rows(table)
    }

    pub(crate) fn node(&self, schema_id: &str, row: Option<RowRef>) -> Option<&'a Node> {
        self.index.node(schema_id, row)
    }

    /// The value `schema_id` has for `row`: set in this delivery, else as sent; a row
    /// without that cell reads `""`; `None` when the annotation has no such datapoint.
    pub(crate) fn value(&self, schema_id: &str, row: Option<RowRef>) -> Option<&str> {
        match self.node(schema_id, row) {
            Some(node) => Some(self.current_value(node)),
            None if row.is_some_and(|(table, _)| self.index.is_column_of(schema_id, table)) => {
                Some("")
            }
            None => None,
        }
    }

    pub(crate) fn current_value<'s>(&'s self, node: &'s Node) -> &'s str {
        self.values
            .get(&node.id)
            .map(String::as_str)
            .or_else(|| node.value())
            .unwrap_or("")
    }

    pub(crate) fn current_options(&self, node: &'a Node) -> &[EnumOption] {
        self.options
            .get(&node.id)
            .map(Vec::as_slice)
            .or(node.options.as_deref())
            .unwrap_or(&[])
    }

    pub(crate) fn set(&mut self, node: &Node, value: String, options: Vec<EnumOption>) {
        self.values.insert(node.id, value);
        self.options.insert(node.id, options);
    }

    /// Whether a datapoint was set earlier in this delivery.
    pub(crate) fn was_set(&self, id: u64) -> bool {
        self.values.contains_key(&id)
    }

    pub(crate) fn is_number(&self, schema_id: &str) -> bool {
        self.numbers.contains(schema_id)
    }
}

/// The ids of schema nodes with `enum_value_type: "number"`, anywhere in the sideloaded
/// `schemas` (serde_json's recursion limit bounds the depth).
fn collect_number_ids(value: &Value, ids: &mut HashSet<String>) {
    match value {
        Value::Object(object) => {
            if object.get("enum_value_type").and_then(Value::as_str) == Some("number")
                && let Some(id) = object.get("id").and_then(Value::as_str)
            {
                ids.insert(id.to_owned());
            }
            object.values().for_each(|v| collect_number_ids(v, ids));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_number_ids(v, ids)),
        _ => {}
    }
}
