//! contract.fit webhook bodies.
//!
//! Every delivery is an envelope `{"event": "<name>", "organization": "<org>", "data": {...}}`
//! ([`Envelope`]); what `data` holds depends on the event:
//!
//! | event               | `data`                                                     | type             |
//! |---------------------|------------------------------------------------------------|------------------|
//! | `document_text`     | `{"id", "text"}` (the OCR text, possibly megabytes)        | [`DocumentText`] |
//! | `document_split`    | `{"id", "sections": [{"document_type", "format", "confidence", "page"}]}` | [`DocumentSplit`] |
//! | `document_predict`  | the whole document JSON with every prediction              | [`Document`]     |
//! | `document_evaluate` | the whole document JSON, the reviewed version              | [`Document`]     |
//! | `document_reject`   | the whole document JSON                                    | [`Document`]     |
//! | `document_delete`   | `{"id"}`                                                   | [`DocumentRef`]  |
//! | `document_fail`     | `{"id"}`                                                   | [`DocumentRef`]  |
//!
//! The document JSON (contract.fit's `DocumentModelGet`) is kept whole as a
//! [`serde_json::Value`]: only its `id` is read here, so fields contract.fit adds later reach
//! storage unchanged. Unknown keys of the envelope are kept in [`Envelope::other`]; those of
//! the smaller `data` types are ignored.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

/// The events contract.fit sends, with a fallback for names added later.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ContractFitEvent {
    DocumentText,
    DocumentSplit,
    DocumentPredict,
    DocumentEvaluate,
    DocumentDelete,
    /// Listed by later revisions of contract.fit's webhook page; `data` is `{"id"}`.
    DocumentFail,
    /// Listed by later revisions of contract.fit's webhook page; `data` is the document JSON.
    DocumentReject,
    /// A name this version does not know, exactly as sent.
    Unknown(String),
}

impl ContractFitEvent {
    /// Every known event.
    pub const KNOWN: [ContractFitEvent; 7] = [
        ContractFitEvent::DocumentText,
        ContractFitEvent::DocumentSplit,
        ContractFitEvent::DocumentPredict,
        ContractFitEvent::DocumentEvaluate,
        ContractFitEvent::DocumentDelete,
        ContractFitEvent::DocumentFail,
        ContractFitEvent::DocumentReject,
    ];

    /// The name as contract.fit spells it (`document_text`).
    pub fn as_str(&self) -> &str {
        match self {
            ContractFitEvent::DocumentText => "document_text",
            ContractFitEvent::DocumentSplit => "document_split",
            ContractFitEvent::DocumentPredict => "document_predict",
            ContractFitEvent::DocumentEvaluate => "document_evaluate",
            ContractFitEvent::DocumentDelete => "document_delete",
            ContractFitEvent::DocumentFail => "document_fail",
            ContractFitEvent::DocumentReject => "document_reject",
            ContractFitEvent::Unknown(name) => name,
        }
    }

    /// The event of a name; an unknown name is kept as [`ContractFitEvent::Unknown`].
    pub fn from_name(name: &str) -> Self {
        Self::KNOWN
            .iter()
            .find(|known| known.as_str() == name)
            .cloned()
            .unwrap_or_else(|| ContractFitEvent::Unknown(name.to_owned()))
    }

    /// Whether `data` is the whole document JSON (predict, evaluate, reject).
    pub fn carries_document(&self) -> bool {
        matches!(
            self,
            ContractFitEvent::DocumentPredict
                | ContractFitEvent::DocumentEvaluate
                | ContractFitEvent::DocumentReject
        )
    }
}

impl fmt::Display for ContractFitEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ContractFitEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ContractFitEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(Self::from_name(&name))
    }
}

/// What every delivery looks like; `data` is read according to `event`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub event: ContractFitEvent,
    /// The contract.fit organisation whose document it is. Documented as always sent; read
    /// as optional so that its absence is a decision of the receiver, not a parse failure.
    #[serde(default)]
    pub organization: Option<String>,
    pub data: Value,
    /// Envelope fields contract.fit may add later, kept as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A `data` that is not what the event documents; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError(pub String);

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DataError {}

impl Envelope {
    /// `data.id`, which every event carries.
    pub fn document_id(&self) -> Result<DocumentId, DataError> {
        match self.data.get("id") {
            None | Some(Value::Null) => Err(DataError(format!(
                "{} data without 'id'",
                self.event.as_str()
            ))),
            Some(Value::String(id)) => id
                .parse()
                .map_err(|e: DocumentIdError| DataError(format!("data.id: {e}"))),
            Some(_) => Err(DataError("data.id is not a string".to_owned())),
        }
    }

    /// `data` read as `T` ([`DocumentText`], [`DocumentSplit`], [`Document`], [`DocumentRef`]).
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T, DataError> {
        T::deserialize(&self.data)
            .map_err(|e| DataError(format!("{} data: {e}", self.event.as_str())))
    }
}

/// A contract.fit document id.
///
/// contract.fit documents 24 lowercase hex characters (a MongoDB ObjectId,
/// `5e7a0df1800de5422a6f7776`). The check is deliberately looser: 1 to
/// [`DocumentId::MAX_LEN`] ASCII letters, digits, `-` or `_`. A stricter check would turn
/// any change of contract.fit's id format into refused deliveries, retried and then lost;
/// this one still keeps out everything that could break a storage key (the `#` separator,
/// `/`, spaces, control characters) or flood a log line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct DocumentId(String);

/// Why a string is not a [`DocumentId`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentIdError {
    Empty,
    TooLong {
        len: usize,
    },
    /// The byte offset of the first character not allowed.
    InvalidCharacter {
        at: usize,
    },
}

impl fmt::Display for DocumentIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentIdError::Empty => f.write_str("document id is empty"),
            DocumentIdError::TooLong { len } => write!(
                f,
                "document id of {len} characters is longer than {}",
                DocumentId::MAX_LEN
            ),
            DocumentIdError::InvalidCharacter { at } => write!(
                f,
                "document id has a character other than A-Z, a-z, 0-9, '-', '_' at offset {at}"
            ),
        }
    }
}

impl std::error::Error for DocumentIdError {}

impl DocumentId {
    /// Longest id accepted: well above the documented 24, well below what a key holds.
    pub const MAX_LEN: usize = 64;

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it has the documented form (24 hex characters); others are accepted too.
    pub fn is_object_id(&self) -> bool {
        self.0.len() == 24 && self.0.bytes().all(|b| b.is_ascii_hexdigit())
    }
}

impl FromStr for DocumentId {
    type Err = DocumentIdError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        if raw.is_empty() {
            return Err(DocumentIdError::Empty);
        }
        if raw.len() > Self::MAX_LEN {
            return Err(DocumentIdError::TooLong { len: raw.len() });
        }
        if let Some(at) = raw
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        {
            return Err(DocumentIdError::InvalidCharacter { at });
        }
        Ok(Self(raw.to_owned()))
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DocumentId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        raw.parse().map_err(de::Error::custom)
    }
}

/// `document_text`: the document's OCR text.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DocumentText {
    pub id: DocumentId,
    pub text: String,
}

/// `document_split`: the sections contract.fit split the document into.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DocumentSplit {
    pub id: DocumentId,
    pub sections: Vec<Section>,
}

/// One section of a split document.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Section {
    /// The class contract.fit gave the section (`invoice`).
    pub document_type: String,
    /// The id of the format (layout) recognised, when there is one.
    #[serde(default)]
    pub format: Option<String>,
    /// How sure the classification is; a percentage in the documented example (`"91"`).
    pub confidence: NumberText<f64>,
    /// The page the section starts on, counted from 0 in the documented example (`"0"`).
    pub page: NumberText<u32>,
}

/// A number contract.fit sends as a string (`"91"`): the string exactly as sent, and the
/// number when the string is one.
///
/// A JSON number is accepted too (its text becomes `raw`), so that contract.fit switching to
/// numbers changes nothing. A string that is not a number is kept with `value` `None`
/// rather than refused: the rest of the delivery is still worth storing.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberText<T> {
    pub raw: String,
    pub value: Option<T>,
}

/// The numbers a [`NumberText`] can hold, read from text.
pub trait ReadNumber: Sized {
    fn read(text: &str) -> Option<Self>;
}

impl ReadNumber for f64 {
    fn read(text: &str) -> Option<Self> {
        // `f64::from_str` accepts "NaN" and "inf", which are no confidence.
        text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
    }
}

impl ReadNumber for u32 {
    fn read(text: &str) -> Option<Self> {
        text.trim().parse().ok()
    }
}

impl<T: ReadNumber> NumberText<T> {
    pub fn new(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let value = T::read(&raw);
        Self { raw, value }
    }
}

impl<'de, T: ReadNumber> Deserialize<'de> for NumberText<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(raw) => Ok(Self::new(raw)),
            Value::Number(number) => Ok(Self::new(number.to_string())),
            other => Err(de::Error::custom(format!(
                "expected a number or a string holding one, found {}",
                json_kind(&other)
            ))),
        }
    }
}

impl<T> Serialize for NumberText<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

/// `document_delete`, `document_fail`: the document's id only.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DocumentRef {
    pub id: DocumentId,
}

/// `document_predict`, `document_evaluate`, `document_reject`: the whole document JSON
/// (contract.fit's `DocumentModelGet`: `id`, `inbox`, `original_filename`, `page_count`,
/// `prediction`, `feedback`, `timings`, ...) with its `id` read.
///
/// Only `id` is required here: the JSON is stored as sent, whatever else it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: DocumentId,
    /// The document JSON, every field as sent.
    pub json: Value,
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = Value::deserialize(deserializer)?;
        let Value::Object(fields) = &json else {
            return Err(de::Error::custom(format!(
                "expected the document JSON object, found {}",
                json_kind(&json)
            )));
        };
        let id = match fields.get("id") {
            Some(Value::String(id)) => id.parse().map_err(de::Error::custom)?,
            Some(_) => return Err(de::Error::custom("document 'id' is not a string")),
            None => return Err(de::Error::missing_field("id")),
        };
        Ok(Self { id, json })
    }
}

impl Serialize for Document {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(value: Value) -> Envelope {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn the_documented_examples_parse() {
        let text = envelope(
            json!({"event": "document_text", "organization": "contractfit1",
            "data": {"id": "5e7a0daf255bf93741177061", "text": "example document text"}}),
        );
        assert_eq!(text.event, ContractFitEvent::DocumentText);
        assert_eq!(text.organization.as_deref(), Some("contractfit1"));
        let data: DocumentText = text.data_as().unwrap();
        assert_eq!(data.id.as_str(), "5e7a0daf255bf93741177061");
        assert!(data.id.is_object_id());
        assert_eq!(data.text, "example document text");

        let split = envelope(
            json!({"event": "document_split", "organization": "contractfit1",
            "data": {"id": "5e7a0df1800de5422a6f7776", "sections": [{"document_type": "invoice",
            "format": "5e20372a90d5ab65dd4a017a", "confidence": "91", "page": "0"}]}}),
        );
        let data: DocumentSplit = split.data_as().unwrap();
        let section = &data.sections[0];
        assert_eq!(section.document_type, "invoice");
        assert_eq!(section.format.as_deref(), Some("5e20372a90d5ab65dd4a017a"));
        assert_eq!(section.confidence.raw, "91");
        assert_eq!(section.confidence.value, Some(91.0));
        assert_eq!(section.page.raw, "0");
        assert_eq!(section.page.value, Some(0));

        let delete = envelope(
            json!({"event": "document_delete", "organization": "contractfit1",
            "data": {"id": "5e7a0df1800de5422a6f7776"}}),
        );
        assert_eq!(delete.event, ContractFitEvent::DocumentDelete);
        let data: DocumentRef = delete.data_as().unwrap();
        assert_eq!(data.id, delete.document_id().unwrap());
    }

    #[test]
    fn numbers_as_strings_keep_their_text_and_are_read_where_possible() {
        let sections: Vec<Section> = serde_json::from_value(json!([
            {"document_type": "invoice", "confidence": 87.5, "page": 3},
            {"document_type": "letter", "format": null, "confidence": "high", "page": "1.0"},
            {"document_type": "letter", "confidence": "NaN", "page": " 2 "},
        ]))
        .unwrap();
        assert_eq!(
            sections[0].confidence,
            NumberText {
                raw: "87.5".into(),
                value: Some(87.5)
            }
        );
        assert_eq!(
            sections[0].page,
            NumberText {
                raw: "3".into(),
                value: Some(3)
            }
        );
        assert_eq!(sections[0].format, None);
        assert_eq!(
            sections[1].confidence,
            NumberText {
                raw: "high".into(),
                value: None
            }
        );
        assert_eq!(sections[1].page.value, None);
        assert_eq!(sections[2].confidence.value, None);
        assert_eq!(sections[2].page.value, Some(2));

        let missing = serde_json::from_value::<Section>(json!({"document_type": "x", "page": "0"}));
        assert!(missing.unwrap_err().to_string().contains("confidence"));
        let null = serde_json::from_value::<Section>(
            json!({"document_type": "x", "page": null, "confidence": "1"}),
        );
        assert!(null.unwrap_err().to_string().contains("found null"));
    }

    #[test]
    fn a_document_is_kept_whole_with_its_id_read() {
        let json = json!({
            "id": "5e7a0df1800de5422a6f7776",
            "inbox": "5e20372a90d5ab65dd4a0100",
            "prediction": {"invoice_number": [{"value": "INV-1", "confidence": 0.97}]},
            "a_field_added_later": {"nested": [1, 2.5, "three", null, true]}
        });
        let document: Document = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(document.id.as_str(), "5e7a0df1800de5422a6f7776");
        assert_eq!(document.json, json);
        assert_eq!(serde_json::to_value(&document).unwrap(), json);

        for (bad, why) in [
            (json!({"inbox": "x"}), "missing field `id`"),
            (json!({"id": 7}), "not a string"),
            (json!({"id": ""}), "empty"),
            (json!(["id"]), "found an array"),
        ] {
            let error = serde_json::from_value::<Document>(bad)
                .unwrap_err()
                .to_string();
            assert!(error.contains(why), "{error}");
        }
    }

    #[test]
    fn document_ids_are_checked_loosely() {
        for good in ["5e7a0df1800de5422a6f7776", "5E7A0DF1", "doc_2024-07", "a"] {
            assert!(good.parse::<DocumentId>().is_ok(), "{good}");
        }
        assert!(!"doc_2024-07".parse::<DocumentId>().unwrap().is_object_id());
        assert_eq!("".parse::<DocumentId>(), Err(DocumentIdError::Empty));
        assert_eq!(
            "a".repeat(65).parse::<DocumentId>(),
            Err(DocumentIdError::TooLong { len: 65 })
        );
        for (bad, at) in [("abc#1", 3), ("a/b", 1), (" a", 0), ("a\n", 1), ("é", 0)] {
            assert_eq!(
                bad.parse::<DocumentId>(),
                Err(DocumentIdError::InvalidCharacter { at }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn envelope_problems_name_the_field() {
        let no_id = envelope(json!({"event": "document_fail", "organization": "o", "data": {}}));
        assert_eq!(
            no_id.document_id().unwrap_err().0,
            "document_fail data without 'id'"
        );
        let number_id = envelope(json!({"event": "document_fail", "data": {"id": 5}}));
        assert_eq!(number_id.organization, None);
        assert!(number_id.document_id().is_err());
        let no_text = envelope(json!({"event": "document_text", "data": {"id": "ab"}}));
        let error = no_text.data_as::<DocumentText>().unwrap_err().0;
        assert!(error.contains("missing field `text`"), "{error}");

        let unknown = envelope(json!({"event": "document_archive", "data": {}}));
        assert_eq!(
            unknown.event,
            ContractFitEvent::Unknown("document_archive".into())
        );
        assert_eq!(unknown.event.to_string(), "document_archive");
        assert!(serde_json::from_value::<Envelope>(json!({"event": "document_text"})).is_err());
    }

    #[test]
    fn event_names_round_trip() {
        for event in ContractFitEvent::KNOWN {
            assert_eq!(ContractFitEvent::from_name(event.as_str()), event);
        }
        assert!(ContractFitEvent::DocumentReject.carries_document());
        assert!(!ContractFitEvent::DocumentFail.carries_document());
    }
}
