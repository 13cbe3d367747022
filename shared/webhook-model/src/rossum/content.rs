use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::unmodelled::{Key, RawText, Unmodelled, set_once};

/// `null` read as an empty list: a node without children may say so either way.
struct NullAsEmpty<T>(Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for NullAsEmpty<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self(
            Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default(),
        ))
    }
}

/// A node's `id`, as [`super::id::id`] reads it.
struct NodeId(u64);

impl<'de> Deserialize<'de> for NodeId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        super::id::id(deserializer).map(Self)
    }
}

/// What kind of node of the annotation content tree this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Section,
    Multivalue,
    Tuple,
    Datapoint,
    /// A category this version does not know; kept so the tree still parses.
    #[serde(other)]
    Unknown,
}

/// One node of `annotation.content`: a section, multivalue (table or repeated field), tuple
/// (table row) or datapoint. One flat type rather than an enum keeps parsing single-pass.
///
/// Read by hand rather than derived: a derived struct with a `flatten` field buffers every
/// unknown field in serde's own tree before building it again, which cost half of reading a
/// 100-row annotation; here unknown fields are copied as raw JSON in one pass.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub id: u64,
    pub schema_id: String,
    pub category: Category,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
    /// Datapoints only; `null` for buttons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<DatapointContent>,
    /// Enum datapoints only: the choices offered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<EnumOption>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub validation_sources: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    /// Fields not modelled here (`url`, `time_spent`, ...), kept as sent.
    #[serde(flatten)]
    pub other: Unmodelled,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an annotation content node (an object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let (mut id, mut schema_id, mut category) = (None, None, None);
        let (mut children, mut content, mut options) = (None, None, None);
        let (mut validation_sources, mut hidden) = (None, None);
        let mut other = Unmodelled::default();
        while let Some(Key(key)) = map.next_key()? {
            match key.as_ref() {
                "id" => set_once(&mut id, "id", || Ok(map.next_value::<NodeId>()?.0))?,
                "schema_id" => set_once(&mut schema_id, "schema_id", || map.next_value())?,
                "category" => set_once(&mut category, "category", || map.next_value())?,
                "children" => set_once(&mut children, "children", || {
                    Ok(map.next_value::<NullAsEmpty<Node>>()?.0)
                })?,
                "content" => set_once(&mut content, "content", || map.next_value())?,
                "options" => set_once(&mut options, "options", || map.next_value())?,
                "validation_sources" => {
                    set_once(&mut validation_sources, "validation_sources", || {
                        Ok(map.next_value::<NullAsEmpty<String>>()?.0)
                    })?
                }
                "hidden" => set_once(&mut hidden, "hidden", || map.next_value())?,
                _ => other.push(&key, &map.next_value::<RawText>()?),
            }
        }
        Ok(Node {
            id: id.ok_or_else(|| de::Error::missing_field("id"))?,
            schema_id: schema_id.ok_or_else(|| de::Error::missing_field("schema_id"))?,
            category: category.ok_or_else(|| de::Error::missing_field("category"))?,
            children: children.unwrap_or_default(),
            content: content.flatten(),
            options: options.flatten(),
            validation_sources: validation_sources.unwrap_or_default(),
            hidden: hidden.unwrap_or_default(),
            other: other.finish(),
        })
    }
}

/// The extracted or typed value of a datapoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DatapointContent {
    /// The raw string as extracted or typed (Rossum caps it at 1500 characters).
    pub value: Option<String>,
    /// ISO 8601 for dates, a number for numbers; absent or `null` when not normalisable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalized_value: Option<Value>,
    /// Fields not modelled here (`page`, `position`, `rir_confidence`, `rir_text`, ...), kept
    /// as sent: no rule reads them, and Rossum's own samples write them as `"None"` strings.
    #[serde(flatten)]
    pub other: Unmodelled,
}

impl<'de> Deserialize<'de> for DatapointContent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ContentVisitor;
        impl<'de> Visitor<'de> for ContentVisitor {
            type Value = DatapointContent;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a datapoint's content (an object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let (mut value, mut normalized_value) = (None, None);
                let mut other = Unmodelled::default();
                while let Some(Key(key)) = map.next_key()? {
                    match key.as_ref() {
                        "value" => set_once(&mut value, "value", || map.next_value())?,
                        "normalized_value" => {
                            set_once(&mut normalized_value, "normalized_value", || {
                                map.next_value()
                            })?
                        }
                        _ => other.push(&key, &map.next_value::<RawText>()?),
                    }
                }
                Ok(DatapointContent {
                    value: value.flatten(),
                    normalized_value: normalized_value.flatten(),
                    other: other.finish(),
                })
            }
        }
        deserializer.deserialize_map(ContentVisitor)
    }
}

/// One choice of an enum datapoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumOption {
    pub value: String,
    pub label: String,
}

impl Node {
    /// The raw string value of a datapoint (`content.value`), if any.
    pub fn value(&self) -> Option<&str> {
        self.content.as_ref()?.value.as_deref()
    }

    pub fn is_datapoint(&self) -> bool {
        self.category == Category::Datapoint
    }
}

/// Every node of the tree, depth first in document order (parents before children).
///
/// Iterative, so a deep tree cannot overflow the stack.
pub fn walk(content: &[Node]) -> impl Iterator<Item = &Node> {
    let mut stack: Vec<std::slice::Iter<'_, Node>> = vec![content.iter()];
    std::iter::from_fn(move || {
        loop {
            let top = stack.last_mut()?;
            match top.next() {
                Some(node) => {
                    if !node.children.is_empty() {
                        stack.push(node.children.iter());
                    }
                    return Some(node);
                }
                None => {
                    stack.pop();
                }
            }
        }
    })
}

/// Every datapoint with this `schema_id`, wherever it sits in the tree (header field, table
/// cell or repeated field), in document order.
pub fn datapoints_by_schema_id<'a>(
    content: &'a [Node],
    schema_id: &'a str,
) -> impl Iterator<Item = &'a Node> {
    walk(content).filter(move |n| n.is_datapoint() && n.schema_id == schema_id)
}

/// The first datapoint with this `schema_id` (header fields occur once).
pub fn first_datapoint<'a>(content: &'a [Node], schema_id: &str) -> Option<&'a Node> {
    walk(content).find(|n| n.is_datapoint() && n.schema_id == schema_id)
}

/// The node with this datapoint id.
pub fn node_by_id(content: &[Node], id: u64) -> Option<&Node> {
    walk(content).find(|n| n.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_whose_ids_are_strings_reads_like_one_with_numbers() {
        // As Rossum's sample repositories write their trees.
        let text = r#"[{"id": "190000", "schema_id": "basic_info", "category": "section",
            "children": [{"id": "190001", "schema_id": "invoice_id", "category": "datapoint",
                          "content": {"value": "INV-1"}}]}]"#;
        let tree: Vec<Node> = serde_json::from_str(text).unwrap();
        let numbers = text
            .replace("\"190000\"", "190000")
            .replace("\"190001\"", "190001");
        let numbers: Vec<Node> = serde_json::from_str(&numbers).unwrap();
        assert_eq!(tree, numbers);
        assert_eq!(
            node_by_id(&tree, 190001).and_then(Node::value),
            Some("INV-1")
        );
        let bad = text.replace("\"190001\"", "\"19x\"");
        let error = serde_json::from_str::<Vec<Node>>(&bad)
            .unwrap_err()
            .to_string();
        assert!(error.contains("datapoint id"), "{error}");
    }

    #[test]
    fn unmodelled_fields_keep_the_last_of_repeated_keys_as_a_map_does() {
        let text = r#"{"id": 5, "url": "first", "schema_id": "s", "category": "datapoint",
            "b": [1], "url": "second", "a": {"x": 1}, "b": null,
            "content": {"page": 1, "value": "v", "page": 2, "rir_text": "r", "page": 3}}"#;
        let node: Node = serde_json::from_str(text).unwrap();
        let keys: Vec<&str> = node.other.iter().map(|(key, _)| key).collect();
        assert_eq!(keys, ["a", "b", "url"]);
        assert_eq!(node.other.get("url"), Some("\"second\""));
        assert_eq!(node.other.get("b"), Some("null"));
        let content = node.content.as_ref().unwrap();
        assert_eq!(content.other.get("page"), Some("3"));
        assert_eq!(content.other.len(), 2);
        // Written back, the node says what a `Value` read of the same text says.
        let expected: Value = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_value(&node).unwrap(), expected);
    }

    #[test]
    fn unmodelled_fields_are_read_alike_from_bytes_text_a_reader_and_a_value() {
        let text = r#"{"id": 5, "schema_id": "s", "category": "datapoint",
            "url": "https://x/\u00e9", "position": [1, 2.5, -3], "rir": {"b": null, "a": true},
            "content": {"value": "v", "page": 1}}"#;
        let from_bytes: Node = serde_json::from_slice(text.as_bytes()).unwrap();
        let from_text: Node = serde_json::from_str(text).unwrap();
        let from_reader: Node = serde_json::from_reader(text.as_bytes()).unwrap();
        let value: Value = serde_json::from_str(text).unwrap();
        let from_value: Node = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(from_bytes.other.get("url"), Some(r#""https://x/\u00e9""#));
        assert_eq!(from_bytes.other.get("position"), Some("[1, 2.5, -3]"));
        assert_eq!(from_bytes, from_text);
        assert_eq!(from_bytes, from_reader);
        // A `Value` lends no text: it writes its own, which reads back as the same values.
        for node in [&from_bytes, &from_reader, &from_value] {
            assert_eq!(&serde_json::to_value(node).unwrap(), &value);
        }
    }

    fn dp(id: u64, schema_id: &str, value: &str) -> Node {
        Node {
            id,
            schema_id: schema_id.into(),
            category: Category::Datapoint,
            children: vec![],
            content: Some(DatapointContent {
                value: Some(value.into()),
                ..Default::default()
            }),
            options: None,
            validation_sources: vec![],
            hidden: false,
            other: Unmodelled::default(),
        }
    }

    fn parent(id: u64, schema_id: &str, category: Category, children: Vec<Node>) -> Node {
        Node {
            children,
            category,
            content: None,
            ..dp(id, schema_id, "")
        }
    }

    fn tree() -> Vec<Node> {
        vec![
            parent(
                1,
                "basic_info",
                Category::Section,
                vec![dp(2, "invoice_id", "INV-1")],
            ),
            parent(
                3,
                "line_items_section",
                Category::Section,
                vec![parent(
                    4,
                    "line_items",
                    Category::Multivalue,
                    vec![
                        parent(
                            5,
                            "line_item",
                            Category::Tuple,
                            vec![dp(6, "item_vat_rate", "ZERO")],
                        ),
                        parent(
                            7,
                            "line_item",
                            Category::Tuple,
                            vec![dp(8, "item_vat_rate", "21")],
                        ),
                    ],
                )],
            ),
        ]
    }

    #[test]
    fn walk_visits_every_node_in_document_order() {
        let t = tree();
        let ids: Vec<u64> = walk(&t).map(|n| n.id).collect();
        assert_eq!(ids, vec![1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn schema_id_search_finds_table_cells_and_header_fields() {
        let t = tree();
        let ids: Vec<u64> = datapoints_by_schema_id(&t, "item_vat_rate")
            .map(|n| n.id)
            .collect();
        assert_eq!(ids, vec![6, 8]);
        assert_eq!(
            first_datapoint(&t, "invoice_id").and_then(Node::value),
            Some("INV-1")
        );
        assert!(
            first_datapoint(&t, "line_items").is_none(),
            "multivalues are not datapoints"
        );
        assert_eq!(node_by_id(&t, 7).map(|n| n.category), Some(Category::Tuple));
    }

    #[test]
    fn deep_trees_do_not_overflow_the_stack() {
        let mut node = dp(0, "leaf", "x");
        for id in 1..100_000 {
            node = parent(id, "nest", Category::Section, vec![node]);
        }
        let content = vec![node];
        assert_eq!(walk(&content).count(), 100_000);
        // Dropping a deep tree recurses; forget it, the test only covers the walk.
        std::mem::forget(content);
    }
}
