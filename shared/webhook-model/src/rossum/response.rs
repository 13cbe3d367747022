use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::EnumOption;

/// The answer to an `annotation_content` hook call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HookResponse {
    pub messages: Vec<Message>,
    pub operations: Vec<Operation>,
    /// Read on `initialize` only: reasons that keep the document from being automated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub automation_blockers: Vec<AutomationBlocker>,
}

/// A message shown to the user. An `error` blocks confirmation (and fails an export).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The datapoint the message is attached to; a document-level message has none.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::id::optional_id"
    )]
    pub id: Option<u64>,
    #[serde(rename = "type")]
    pub kind: MessageType,
    pub content: String,
}

impl Message {
    /// Rossum's limit on a message's length, in characters.
    pub const MAX_CHARS: usize = 4096;

    pub fn new(kind: MessageType, id: Option<u64>, content: impl Into<String>) -> Self {
        let mut content: String = content.into();
        if let Some((cut, _)) = content.char_indices().nth(Self::MAX_CHARS) {
            content.truncate(cut);
        }
        Self { id, kind, content }
    }

    pub fn error(id: Option<u64>, content: impl Into<String>) -> Self {
        Self::new(MessageType::Error, id, content)
    }

    pub fn warning(id: Option<u64>, content: impl Into<String>) -> Self {
        Self::new(MessageType::Warning, id, content)
    }

    pub fn info(id: Option<u64>, content: impl Into<String>) -> Self {
        Self::new(MessageType::Info, id, content)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageType {
    Error,
    Warning,
    Info,
}

/// `[child, ...]` as it is, `child` alone as a list of one.
fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<Value>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Array(children) => Ok(children),
        child @ Value::Object(_) => Ok(vec![child]),
        other => Err(serde::de::Error::custom(format!(
            "an add operation's value must be an object or a list of objects, not {other}"
        ))),
    }
}

/// A change to the annotation content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Operation {
    /// Change a datapoint (never a section, multivalue or tuple).
    Replace {
        #[serde(deserialize_with = "super::id::id")]
        id: u64,
        value: ReplaceValue,
    },
    /// Append children (rows or cells given with their `schema_id`) to a multivalue; the
    /// reference allows one child as an object as well as a list of them.
    Add {
        #[serde(deserialize_with = "super::id::id")]
        id: u64,
        #[serde(deserialize_with = "one_or_many")]
        value: Vec<Value>,
    },
    /// Remove a child of a multivalue.
    Remove {
        #[serde(deserialize_with = "super::id::id")]
        id: u64,
    },
}

impl Operation {
    /// Replace a datapoint's `content.value`.
    pub fn replace_value(id: u64, value: impl Into<String>) -> Self {
        Operation::Replace {
            id,
            value: ReplaceValue {
                content: Some(ValueContent {
                    value: value.into(),
                }),
                ..Default::default()
            },
        }
    }
}

/// What a `replace` changes; absent parts stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplaceValue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<ValueContent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<EnumOption>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_sources: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueContent {
    pub value: String,
}

/// A reason the annotation must not be automated (read on `initialize`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomationBlocker {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::id::optional_id"
    )]
    pub id: Option<u64>,
    pub content: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_add_with_one_child_as_an_object_reads_as_a_list_of_one() {
        let one: Operation = serde_json::from_value(
            json!({"op": "add", "id": "5", "value": {"schema_id": "line_item"}}),
        )
        .unwrap();
        let many: Operation = serde_json::from_value(
            json!({"op": "add", "id": 5, "value": [{"schema_id": "line_item"}]}),
        )
        .unwrap();
        assert_eq!(one, many);
        let error = serde_json::from_value::<Operation>(json!({"op": "add", "id": 5, "value": 3}))
            .unwrap_err()
            .to_string();
        assert!(error.contains("object or a list of objects"), "{error}");
    }

    #[test]
    fn ids_given_as_integer_strings_are_read_as_numbers() {
        let message: Message =
            serde_json::from_value(json!({"id": "190000", "type": "error", "content": "x"}))
                .unwrap();
        assert_eq!(message.id, Some(190000));
        let remove: Operation = serde_json::from_value(json!({"op": "remove", "id": "9"})).unwrap();
        assert_eq!(remove, Operation::Remove { id: 9 });
        for bad in [
            json!("9a"),
            json!("-9"),
            json!("+9"),
            json!(""),
            json!(-1),
            json!(1.5),
        ] {
            assert!(
                serde_json::from_value::<Operation>(json!({"op": "remove", "id": bad})).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn operations_serialise_in_rossums_format() {
        let response = HookResponse {
            messages: vec![Message::warning(Some(7), "check me")],
            operations: vec![
                Operation::replace_value(42, "0.0"),
                Operation::Add {
                    id: 5,
                    value: vec![json!({"schema_id": "line_item"})],
                },
                Operation::Remove { id: 9 },
            ],
            automation_blockers: vec![],
        };
        assert_eq!(
            serde_json::to_value(&response).unwrap(),
            json!({
                "messages": [{"id": 7, "type": "warning", "content": "check me"}],
                "operations": [
                    {"op": "replace", "id": 42, "value": {"content": {"value": "0.0"}}},
                    {"op": "add", "id": 5, "value": [{"schema_id": "line_item"}]},
                    {"op": "remove", "id": 9}
                ]
            })
        );
    }

    #[test]
    fn long_messages_are_cut_to_rossums_limit_on_a_char_boundary() {
        let message = Message::error(None, "é".repeat(5000));
        assert_eq!(message.content.chars().count(), Message::MAX_CHARS);
    }
}
