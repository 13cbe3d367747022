//! The annotation's datapoints by schema id, as rules and matching read them: header fields,
//! and line-item tables with their rows' cells.

use foldhash::HashMap;

use super::{Category, Node};

/// A row of a line-item table: `(table, row)` indexes.
pub type RowRef = (usize, usize);

/// Where a schema id is in the annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A header field (outside any table row).
    Header,
    /// A column of line-item table `n`.
    Column(usize),
    /// No datapoint has it.
    Missing,
}

/// The datapoints of a content tree by schema id.
#[derive(Debug, Default)]
pub struct ContentIndex<'a> {
    /// The first datapoint of each schema id outside any table row.
    header: HashMap<&'a str, &'a Node>,
    /// The table each line-item column belongs to.
    columns: HashMap<&'a str, usize>,
    /// Each table's rows, each row's cells by schema id (the first of each). A map, not a
    /// list: a hostile row of many thousand cells must not make indexing quadratic.
    tables: Vec<Vec<HashMap<&'a str, &'a Node>>>,
}

impl<'a> ContentIndex<'a> {
    /// Indexes `content`: a multivalue whose children are tuples is a table, each tuple a row.
    pub fn new(content: &'a [Node]) -> Self {
        let mut index = Self::default();
        // Iterative, so a deep tree cannot overflow the stack.
        let mut stack: Vec<(&'a Node, Option<RowRef>)> =
            content.iter().rev().map(|n| (n, None)).collect();
        while let Some((node, row)) = stack.pop() {
            match node.category {
                Category::Datapoint => match row {
                    Some((table, r)) => {
                        index.columns.entry(&node.schema_id).or_insert(table);
                        index.tables[table][r]
                            .entry(&node.schema_id)
                            .or_insert(node);
                    }
                    None => {
                        index.header.entry(&node.schema_id).or_insert(node);
                    }
                },
                Category::Multivalue
                    if row.is_none()
                        && node.children.iter().any(|c| c.category == Category::Tuple) =>
                {
                    let table = index.tables.len();
                    index.tables.push(Vec::new());
                    for tuple in node
                        .children
                        .iter()
                        .filter(|c| c.category == Category::Tuple)
                    {
                        let r = index.tables[table].len();
                        // Sized for the row's cells up front: no regrowth while they are inserted.
                        index.tables[table].push(HashMap::with_capacity_and_hasher(
                            tuple.children.len(),
                            Default::default(),
                        ));
                        stack.extend(tuple.children.iter().rev().map(|c| (c, Some((table, r)))));
                    }
                }
                _ => stack.extend(node.children.iter().rev().map(|c| (c, row))),
            }
        }
        index
    }

    pub fn place(&self, schema_id: &str) -> Place {
        if self.header.contains_key(schema_id) {
            Place::Header
        } else if let Some(&table) = self.columns.get(schema_id) {
            Place::Column(table)
        } else {
            Place::Missing
        }
    }

    /// How many rows table `table` has.
    pub fn rows(&self, table: usize) -> usize {
        self.tables.get(table).map_or(0, Vec::len)
    }

    /// Whether `schema_id` is a column of `table`.
    pub fn is_column_of(&self, schema_id: &str, table: usize) -> bool {
        self.columns.get(schema_id) == Some(&table)
    }

    /// The datapoint `schema_id` names for `row`: its cell when it is a column of the row's
    /// table (`None` when the row lacks that cell), else the header field.
    pub fn node(&self, schema_id: &str, row: Option<RowRef>) -> Option<&'a Node> {
        if let Some((table, r)) = row
            && self.is_column_of(schema_id, table)
        {
            return self.tables[table][r].get(schema_id).copied();
        }
        self.header.get(schema_id).copied()
    }

    /// Every row's cell of column `schema_id` in row order (`None` for a row without it).
    pub fn column(&self, schema_id: &str) -> Vec<Option<&'a Node>> {
        let Some(&table) = self.columns.get(schema_id) else {
            return Vec::new();
        };
        self.tables[table]
            .iter()
            .map(|cells| cells.get(schema_id).copied())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn header_fields_and_table_cells_are_told_apart() {
        let content: Vec<Node> = serde_json::from_value(json!([
            {"id": 1, "schema_id": "s", "category": "section", "children": [
                {"id": 2, "schema_id": "total", "category": "datapoint", "content": {"value": "9"}},
                {"id": 3, "schema_id": "items", "category": "multivalue", "children": [
                    {"id": 4, "schema_id": "item", "category": "tuple", "children": [
                        {"id": 5, "schema_id": "amount", "category": "datapoint", "content": {"value": "4"}}]},
                    {"id": 6, "schema_id": "item", "category": "tuple", "children": [
                        {"id": 7, "schema_id": "amount", "category": "datapoint", "content": {"value": "5"}}]}]},
                {"id": 8, "schema_id": "emails", "category": "multivalue", "children": [
                    {"id": 9, "schema_id": "email", "category": "datapoint", "content": {"value": "a@b"}}]}]}
        ]))
        .unwrap();
        let index = ContentIndex::new(&content);
        assert_eq!(index.place("total"), Place::Header);
        assert_eq!(index.place("amount"), Place::Column(0));
        assert_eq!(
            index.place("email"),
            Place::Header,
            "a repeated field is not a table"
        );
        assert_eq!(index.place("nope"), Place::Missing);
        assert_eq!(index.rows(0), 2);
        assert_eq!(index.node("amount", Some((0, 1))).map(|n| n.id), Some(7));
        assert_eq!(index.node("total", Some((0, 1))).map(|n| n.id), Some(2));
        let ids: Vec<u64> = index
            .column("amount")
            .into_iter()
            .flatten()
            .map(|n| n.id)
            .collect();
        assert_eq!(ids, [5, 7]);
    }
}
