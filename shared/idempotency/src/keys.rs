use std::borrow::Cow;

use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::canonical::canonical_object;
use webhook_endpoint::{WebhookError, parse_json};

/// Longest key part accepted from a body: longer ones are not the platform's ids, and the
/// record's partition key must stay well under DynamoDB's 2048 bytes.
pub const MAX_KEY_CHARS: usize = 256;

/// Keys of a Rossum body that may differ between a delivery and its retries, so they are
/// left out of the validation hash: a fresh API token per attempt, the sending time and the
/// attempt number.
pub const ROSSUM_VOLATILE_KEYS: [&str; 3] =
    ["rossum_authorization_token", "timestamp", "retry_count"];

/// What identifies a delivery among a function's deliveries, and what a retry must repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryKey {
    /// The same for a delivery and all its retries.
    pub key: String,
    /// Hash of the part of the body that must be the same in every retry.
    pub validation: String,
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `annotation_content` actions Rossum sends interactively and never retries.
pub const ROSSUM_INTERACTIVE_ACTIONS: [&str; 4] = ["started", "updated", "user_update", "confirm"];

/// Rossum: the body's `request_id` (the same on Rossum's retries); validation over the body
/// without [`ROSSUM_VOLATILE_KEYS`]. A body without `request_id` is a 400, since its retries
/// could not be recognised. Interactive `annotation_content` deliveries are never retried,
/// so they get no key and run unguarded ([`ROSSUM_INTERACTIVE_ACTIONS`]).
pub fn rossum_key(body: &[u8]) -> Result<Option<DeliveryKey>, WebhookError> {
    // The interactive check reads two top-level strings without building the tree, which an
    // interactive delivery's handler builds anyway; a body the shortcut cannot read (not an
    // object, non-string values, invalid JSON) takes the full path and its exact answer.
    if let Ok(envelope) = serde_json::from_slice::<RossumEnvelope>(body)
        && envelope.is_interactive()
    {
        return Ok(None);
    }
    let Some(object) = canonical_object(body, &|key| ROSSUM_VOLATILE_KEYS.contains(&key)) else {
        // Not one JSON object: the full parse names what is wrong.
        return rossum_key_through_value(body);
    };
    if is_interactive(
        object.text("event").as_deref(),
        object.text("action").as_deref(),
    ) {
        return Ok(None);
    }
    let request_id = object.text("request_id").ok_or_else(no_request_id)?;
    Ok(Some(DeliveryKey {
        key: key_part("request_id", &request_id)?,
        validation: sha256_hex(&object.bytes),
    }))
}

/// An `annotation_content` delivery of one of [`ROSSUM_INTERACTIVE_ACTIONS`].
fn is_interactive(event: Option<&str>, action: Option<&str>) -> bool {
    event == Some("annotation_content")
        && action.is_some_and(|a| ROSSUM_INTERACTIVE_ACTIONS.contains(&a))
}

fn no_request_id() -> WebhookError {
    WebhookError::MalformedBody("a Rossum delivery needs a 'request_id'".to_owned())
}

/// [`rossum_key`] through a `Value`: what the canonical bytes are checked against, and the
/// error of a body that is not one JSON object.
fn rossum_key_through_value(body: &[u8]) -> Result<Option<DeliveryKey>, WebhookError> {
    let mut object: Map<String, Value> = parse_json(body)?;
    let text = |name: &str| object.get(name).and_then(Value::as_str);
    if is_interactive(text("event"), text("action")) {
        return Ok(None);
    }
    let request_id = object
        .get("request_id")
        .and_then(Value::as_str)
        .ok_or_else(no_request_id)?;
    let key = key_part("request_id", request_id)?;
    for volatile in ROSSUM_VOLATILE_KEYS {
        object.remove(volatile);
    }
    let stable = serde_json::to_vec(&object).expect("a JSON object serialises infallibly");
    Ok(Some(DeliveryKey {
        key,
        validation: sha256_hex(&stable),
    }))
}

/// The top-level `event` and `action` of a Rossum body (the last of duplicates, as in a
/// `Map`), every other value skipped unread.
#[derive(Default)]
struct RossumEnvelope<'a> {
    event: Option<Cow<'a, str>>,
    action: Option<Cow<'a, str>>,
}

impl RossumEnvelope<'_> {
    fn is_interactive(&self) -> bool {
        is_interactive(self.event.as_deref(), self.action.as_deref())
    }
}

impl<'de> Deserialize<'de> for RossumEnvelope<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = RossumEnvelope<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut envelope = RossumEnvelope::default();
                while let Some(BorrowedText(key)) = map.next_key()? {
                    match key.as_ref() {
                        "event" => envelope.event = Some(map.next_value::<BorrowedText>()?.0),
                        "action" => envelope.action = Some(map.next_value::<BorrowedText>()?.0),
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(envelope)
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

/// A JSON string, borrowed where it has no escapes.
pub(crate) struct BorrowedText<'a>(pub(crate) Cow<'a, str>);

impl<'de> Deserialize<'de> for BorrowedText<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Inner<'a>(#[serde(borrow)] Cow<'a, str>);
        Inner::deserialize(deserializer).map(|inner| BorrowedText(inner.0))
    }
}

/// The two fields of an Inkit body, borrowed where the JSON has no escapes.
#[derive(Deserialize)]
struct InkitFields<'a> {
    #[serde(borrow)]
    event_type: Cow<'a, str>,
    #[serde(borrow)]
    resource_id: Cow<'a, str>,
}

/// Inkit: `<event_type>#<resource_id>` (Inkit sends no event id: an event is identified by
/// the two, as the Inkit records are); validation over the whole body.
pub fn inkit_key(body: &[u8]) -> Result<Option<DeliveryKey>, WebhookError> {
    let fields: InkitFields = parse_json_borrowed(body)?;
    let event_type = key_part("event_type", &fields.event_type)?;
    let resource_id = key_part("resource_id", &fields.resource_id)?;
    Ok(Some(DeliveryKey {
        key: format!("{event_type}#{resource_id}"),
        validation: sha256_hex(body),
    }))
}

fn parse_json_borrowed<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, WebhookError> {
    serde_json::from_slice(body)
        .map_err(|e| WebhookError::MalformedBody(format!("invalid JSON: {e}")))
}

/// `value` trimmed, checked to be 1 to [`MAX_KEY_CHARS`] printable characters.
pub(crate) fn key_part(name: &str, value: &str) -> Result<String, WebhookError> {
    let value = value.trim();
    if value.is_empty()
        || value.chars().count() > MAX_KEY_CHARS
        || value.chars().any(char::is_control)
    {
        return Err(WebhookError::MalformedBody(format!(
            "'{name}' must be 1 to {MAX_KEY_CHARS} printable characters"
        )));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bytes(value: &Value) -> Vec<u8> {
        serde_json::to_vec(value).unwrap()
    }

    #[test]
    fn the_key_read_without_a_tree_is_the_key_through_a_value() {
        let payloads = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/payloads");
        let mut bodies: Vec<Vec<u8>> = std::fs::read_dir(payloads)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| {
                let name = path.to_string_lossy();
                name.contains("rossum-") && !name.ends_with(".expect.json")
            })
            .map(|path| std::fs::read(path).unwrap())
            .collect();
        assert!(bodies.len() >= 6, "the Rossum samples");
        bodies.extend(
            [
                r#"{"request_id": "r\u002d1", "event": "annotation_content", "action": "export",
                    "retry_count": 2, "annotation": {"b": [1.50, -0, "\u00e9"], "a": 1, "a": 2}}"#,
                r#"{"request_id": "r-2", "event": "annotation_content", "action": "updated"}"#,
                r#"{"request_id": "r-2", "event": "annotation_content", "action": "up\u0064ated"}"#,
                r#"{"event": "email", "action": "received"}"#,
                r#"{"request_id": 7}"#,
                r#"{"request_id": "  "}"#,
                r#"[{"request_id": "r-3"}]"#,
                r#"{"request_id": "r-4"} trailing"#,
                "not JSON",
            ]
            .map(|body| body.as_bytes().to_vec()),
        );
        bodies.push(b"{\"request_id\": \"caf\xe9\", \"action\": \"export\"}".to_vec());
        for body in bodies {
            let shown = String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned();
            match (rossum_key(&body), rossum_key_through_value(&body)) {
                (Ok(key), Ok(expected)) => assert_eq!(key, expected, "{shown}"),
                (Err(error), Err(expected)) => {
                    assert_eq!(error.to_string(), expected.to_string(), "{shown}")
                }
                (got, expected) => panic!("{shown}: {got:?} where {expected:?}"),
            }
        }
    }

    #[test]
    fn rossum_retries_share_key_and_validation_despite_token_time_and_attempt() {
        let first = json!({"request_id": "r-1", "timestamp": "2026-01-01T00:00:00Z",
            "rossum_authorization_token": "a", "retry_count": 0, "annotation": {"id": 7}});
        let retry = json!({"request_id": "r-1", "timestamp": "2026-01-01T00:00:31Z",
            "rossum_authorization_token": "b", "retry_count": 1, "annotation": {"id": 7}});
        assert_eq!(
            rossum_key(&bytes(&first)).unwrap(),
            rossum_key(&bytes(&retry)).unwrap()
        );

        let other = json!({"request_id": "r-1", "annotation": {"id": 8}});
        let other = rossum_key(&bytes(&other)).unwrap().unwrap();
        assert_eq!(other.key, "r-1");
        assert_ne!(
            other.validation,
            rossum_key(&bytes(&first)).unwrap().unwrap().validation
        );
        assert!(rossum_key(&bytes(&first)).unwrap().is_some());
    }

    #[test]
    fn interactive_rossum_deliveries_get_no_key() {
        let confirm =
            json!({"request_id": "r-2", "event": "annotation_content", "action": "confirm"});
        assert_eq!(rossum_key(&bytes(&confirm)).unwrap(), None);
        let export =
            json!({"request_id": "r-2", "event": "annotation_content", "action": "export"});
        assert_eq!(rossum_key(&bytes(&export)).unwrap().unwrap().key, "r-2");
    }

    /// What the full reading (a `Map`, the last duplicate winning) says is interactive.
    fn interactive_by_map(body: &[u8]) -> Option<bool> {
        let object: Map<String, Value> = serde_json::from_slice(body).ok()?;
        let text = |name: &str| object.get(name).and_then(Value::as_str);
        Some(
            text("event") == Some("annotation_content")
                && text("action").is_some_and(|a| ROSSUM_INTERACTIVE_ACTIONS.contains(&a)),
        )
    }

    #[test]
    fn the_interactive_shortcut_agrees_with_the_full_reading() {
        let bodies: [&[u8]; 14] = [
            br#"{"event":"annotation_content","action":"confirm","request_id":"r"}"#,
            br#"{"action":"user_update","annotation":{"content":[{"x":[1,2,{"y":null}]}]},"event":"annotation_content"}"#,
            br#"{"event":"annotation_content","action":"export","request_id":"r"}"#,
            br#"{"event":"annotation_content","action":"confirm","request_id":"r"}"#,
            br#"{"event":"annotation_content","action":"confirm","action":"export","request_id":"r"}"#,
            br#"{"event":"annotation_content","action":"export","action":"confirm","request_id":"r"}"#,
            br#"{"event":"annotation_content","action":"confirm","action":7,"request_id":"r"}"#,
            br#"{"event":"annotation_content","action":null,"request_id":"r"}"#,
            br#"{"event":["annotation_content"],"action":"confirm","request_id":"r"}"#,
            br#"{"event":"email","action":"received","request_id":"r"}"#,
            br#"{"event":"annotation_content","action":"confirm"} trailing"#,
            br#"["annotation_content","confirm"]"#,
            br#"{"event":"annotation_content","action":"confirm""#,
            br#"{}"#,
        ];
        for body in bodies {
            let shortcut = serde_json::from_slice::<RossumEnvelope>(body)
                .ok()
                .filter(RossumEnvelope::is_interactive)
                .is_some();
            let text = String::from_utf8_lossy(body);
            // Wherever the shortcut says interactive, the full reading says so too.
            if shortcut {
                assert_eq!(interactive_by_map(body), Some(true), "{text}");
            }
            // And rossum_key answers as the full reading alone would.
            match interactive_by_map(body) {
                Some(true) => assert_eq!(rossum_key(body).unwrap(), None, "{text}"),
                Some(false) => assert_ne!(rossum_key(body).ok(), Some(None), "{text}"),
                None => assert_eq!(rossum_key(body).unwrap_err().status(), 400, "{text}"),
            }
        }
    }

    #[test]
    fn a_rossum_body_without_request_id_is_400() {
        for body in [
            json!({"annotation": {}}),
            json!({"request_id": " "}),
            json!({"request_id": 5}),
        ] {
            let error = rossum_key(&bytes(&body)).unwrap_err();
            assert_eq!(error.status(), 400, "{body}");
        }
        assert_eq!(rossum_key(b"[1]").unwrap_err().status(), 400);
    }

    #[test]
    fn inkit_keys_name_event_and_resource() {
        let body = br#"{"event_type": "DOCUMENT_DELETED", "resource_id": "doc\u002d1"}"#;
        let key = inkit_key(body).unwrap().unwrap();
        assert_eq!(key.key, "DOCUMENT_DELETED#doc-1");
        assert_eq!(key.validation, sha256_hex(body));
        let long = bytes(&json!({"event_type": "X", "resource_id": "r".repeat(MAX_KEY_CHARS + 1)}));
        assert_eq!(inkit_key(&long).unwrap_err().status(), 400);
        assert_eq!(
            inkit_key(br#"{"event_type": "X"}"#).unwrap_err().status(),
            400
        );
    }
}
