//! DynamoDB stream records as Lambda's event source mapping delivers them, and their images
//! read as plain JSON.

use serde::Deserialize;
use serde_json::{Map, Number, Value};

/// A batch of stream records (`StreamViewType: NEW_AND_OLD_IMAGES`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StreamEvent {
    #[serde(rename = "Records", default)]
    pub records: Vec<StreamRecord>,
}

/// One stream record; only what events are made of.
#[derive(Debug, Clone, Deserialize)]
pub struct StreamRecord {
    /// `INSERT`, `MODIFY` or `REMOVE`.
    #[serde(rename = "eventName", default)]
    pub event_name: String,
    /// `arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>`.
    #[serde(rename = "eventSourceARN", default)]
    pub event_source_arn: String,
    pub dynamodb: StreamData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StreamData {
    /// The item after the change, in DynamoDB's JSON (`{"S": "..."}`, ...); absent on REMOVE.
    #[serde(rename = "NewImage", default)]
    pub new_image: Option<Map<String, Value>>,
    /// The item before the change; absent on INSERT.
    #[serde(rename = "OldImage", default)]
    pub old_image: Option<Map<String, Value>>,
    /// The record's position in its shard: what a failure is reported by.
    #[serde(rename = "SequenceNumber")]
    pub sequence_number: String,
    /// When the change was made, in epoch seconds.
    #[serde(rename = "ApproximateCreationDateTime", default)]
    pub approximate_creation: Option<f64>,
}

impl StreamRecord {
    /// The table the record is of, read from its stream's ARN.
    pub fn table(&self) -> Option<&str> {
        let (_, rest) = self.event_source_arn.split_once(":table/")?;
        rest.split('/').next().filter(|t| !t.is_empty())
    }

    pub fn new_image(&self) -> Option<Image<'_>> {
        self.dynamodb.new_image.as_ref().map(Image)
    }

    pub fn old_image(&self) -> Option<Image<'_>> {
        self.dynamodb.old_image.as_ref().map(Image)
    }
}

/// An item image in DynamoDB's JSON.
#[derive(Debug, Clone, Copy)]
pub struct Image<'a>(pub &'a Map<String, Value>);

impl<'a> Image<'a> {
    /// A string attribute.
    pub fn text(&self, name: &str) -> Option<&'a str> {
        self.0.get(name)?.get("S")?.as_str()
    }

    /// A boolean attribute.
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.0.get(name)?.get("BOOL")?.as_bool()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Every attribute as plain JSON, but those named in `left_out`.
    pub fn plain_attributes(&self, left_out: &[&str]) -> Map<String, Value> {
        self.0
            .iter()
            .filter(|(name, _)| !left_out.contains(&name.as_str()))
            .map(|(name, value)| (name.clone(), plain(value)))
            .collect()
    }
}

/// One attribute value of DynamoDB's JSON as plain JSON: strings, numbers (integers exactly,
/// others as the nearest double), booleans, null, maps, lists and sets (as lists). Binary
/// values stay base64 text. Anything else is passed through as it is.
pub fn plain(value: &Value) -> Value {
    let Some((tag, inner)) = value
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.iter().next())
    else {
        return value.clone();
    };
    match (tag.as_str(), inner) {
        ("S", Value::String(_)) | ("B", Value::String(_)) | ("BOOL", Value::Bool(_)) => {
            inner.clone()
        }
        ("NULL", _) => Value::Null,
        ("N", Value::String(number)) => plain_number(number),
        ("M", Value::Object(map)) => Value::Object(
            map.iter()
                .map(|(name, value)| (name.clone(), plain(value)))
                .collect(),
        ),
        ("L", Value::Array(items)) => Value::Array(items.iter().map(plain).collect()),
        ("SS", Value::Array(items)) | ("BS", Value::Array(items)) => Value::Array(items.clone()),
        ("NS", Value::Array(items)) => Value::Array(
            items
                .iter()
                .map(|n| n.as_str().map_or_else(|| n.clone(), plain_number))
                .collect(),
        ),
        _ => value.clone(),
    }
}

/// DynamoDB numbers are decimal text of up to 38 digits: integers that fit stay exact.
fn plain_number(text: &str) -> Value {
    if let Ok(integer) = text.parse::<i64>() {
        return Value::Number(integer.into());
    }
    if let Ok(integer) = text.parse::<u64>() {
        return Value::Number(integer.into());
    }
    match text.parse::<f64>().ok().and_then(Number::from_f64) {
        Some(number) => Value::Number(number),
        // Not a number JSON can hold: kept as its text rather than lost.
        None => Value::String(text.to_owned()),
    }
}
