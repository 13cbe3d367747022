//! The annotation as matching reads it: header fields and line-item tables by schema id,
//! the values set so far in this delivery (earlier configurations' results), and which
//! datapoints the schema says hold numbers.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use webhook_model::rossum::{Category, EnumOption, Node};

/// A row of a line-item table: `(table, row)` indexes.
pub(crate) type RowRef = (usize, usize);

/// Where a schema id is in the annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    Header,
    Column(usize),
    Missing,
}

pub(crate) struct Fields<'a> {
    /// The first datapoint of each schema id outside any table row.
    header: HashMap<&'a str, &'a Node>,
    /// The table each line-item column belongs to.
    columns: HashMap<&'a str, usize>,
    /// Each table's rows, each row's cells by schema id.
    tables: Vec<Vec<HashMap<&'a str, &'a Node>>>,
    /// Schema ids whose schema says `enum_value_type: "number"`.
    numbers: HashSet<String>,
    /// Values and options set in this delivery, by datapoint id.
    values: HashMap<u64, String>,
    options: HashMap<u64, Vec<EnumOption>>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(content: &'a [Node], schemas: Option<&Value>) -> Self {
        let mut fields = Self {
            header: HashMap::new(),
            columns: HashMap::new(),
            tables: Vec::new(),
            numbers: HashSet::new(),
            values: HashMap::new(),
            options: HashMap::new(),
        };
        // Iterative, so a deep tree cannot overflow the stack.
        let mut stack: Vec<(&'a Node, Option<RowRef>)> =
            content.iter().rev().map(|n| (n, None)).collect();
        while let Some((node, row)) = stack.pop() {
            match node.category {
                Category::Datapoint => match row {
                    Some((table, r)) => {
                        fields.columns.entry(&node.schema_id).or_insert(table);
                        fields.tables[table][r]
                            .entry(&node.schema_id)
                            .or_insert(node);
                    }
                    None => {
                        fields.header.entry(&node.schema_id).or_insert(node);
                    }
                },
                Category::Multivalue
                    if row.is_none()
                        && node.children.iter().any(|c| c.category == Category::Tuple) =>
                {
                    let table = fields.tables.len();
                    fields.tables.push(Vec::new());
                    for tuple in node
                        .children
                        .iter()
                        .filter(|c| c.category == Category::Tuple)
                    {
                        let r = fields.tables[table].len();
                        fields.tables[table].push(HashMap::new());
                        stack.extend(tuple.children.iter().rev().map(|c| (c, Some((table, r)))));
                    }
                }
                _ => stack.extend(node.children.iter().rev().map(|c| (c, row))),
            }
        }
        if let Some(schemas) = schemas {
            collect_number_ids(schemas, &mut fields.numbers);
        }
        fields
    }

    pub(crate) fn place(&self, schema_id: &str) -> Place {
        if self.header.contains_key(schema_id) {
            Place::Header
        } else if let Some(&table) = self.columns.get(schema_id) {
            Place::Column(table)
        } else {
            Place::Missing
        }
    }

    pub(crate) fn rows(&self, table: usize) -> usize {
        self.tables[table].len()
    }

    /// The datapoint `schema_id` names for `row` (its cell when it is a column of the row's
    /// table, else the header field).
    pub(crate) fn node(&self, schema_id: &str, row: Option<RowRef>) -> Option<&'a Node> {
        if let Some((table, r)) = row
            && self.columns.get(schema_id) == Some(&table)
        {
            return self.tables[table][r].get(schema_id).copied();
        }
        self.header.get(schema_id).copied()
    }

    /// The value `schema_id` has for `row`: set in this delivery, else as sent; a row
    /// without that cell reads `""`; `None` when the annotation has no such datapoint.
    pub(crate) fn value(&self, schema_id: &str, row: Option<RowRef>) -> Option<&str> {
        match self.node(schema_id, row) {
            Some(node) => Some(self.current_value(node)),
            None if row.is_some_and(|(table, _)| self.columns.get(schema_id) == Some(&table)) => {
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
