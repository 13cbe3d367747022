//! The body Rossum posts for `annotation_status` events.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The body Rossum posts for `annotation_status` events; keys other than these are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct AnnotationStatusEvent {
    /// Unique per delivery, the same on Rossum's retries: the key for de-duplication.
    #[serde(default)]
    pub request_id: String,
    /// When Rossum sent the event (covered by the signature).
    #[serde(default)]
    pub timestamp: Option<String>,
    pub event: String,
    pub action: String,
    #[serde(default)]
    pub annotation: Option<StatusAnnotation>,
}

/// The annotation of an `annotation_status` event (its `content` is a URL here, not a tree).
#[derive(Debug, Clone, Deserialize)]
pub struct StatusAnnotation {
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub previous_status: Option<String>,
    #[serde(default)]
    pub queue: Option<QueueRef>,
    #[serde(default)]
    pub document: Option<String>,
    /// Everything else Rossum sends of the annotation (`modified_at`, `assigned_at`,
    /// `time_spent`, ...): part of what tells one transition from another.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl StatusAnnotation {
    /// The annotation as sent, the fields modelled here included: what tells one transition
    /// from another (a later transition between the same statuses has other times).
    pub fn as_sent(&self) -> Map<String, Value> {
        let mut sent = self.other.clone();
        let known = [
            ("id", json!(self.id)),
            ("url", json!(self.url)),
            ("status", json!(self.status)),
            ("previous_status", json!(self.previous_status)),
            ("queue", json!(self.queue)),
            ("document", json!(self.document)),
        ];
        for (name, value) in known {
            sent.insert(name.to_owned(), value);
        }
        sent
    }
}

/// A queue as Rossum refers to it: its URL, or in some payloads its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum QueueRef {
    Url(String),
    Id(u64),
}

impl QueueRef {
    /// The queue as one string: its URL, or its id.
    pub fn into_string(self) -> String {
        match self {
            QueueRef::Url(url) => url,
            QueueRef::Id(id) => id.to_string(),
        }
    }
}
