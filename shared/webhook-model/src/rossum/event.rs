use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Node;

hook_delivery! {
    /// The body Rossum posts for `annotation_content` events (initialize, started, updated,
    /// user_update, confirm, export). Keys not modelled here are kept in `other`.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct AnnotationContentEvent {
        /// Present for `annotation_content` events; optional so that a wrong event type can be
        /// told apart from a malformed body.
        #[serde(default)]
        pub annotation: Option<Annotation>,
        #[serde(default)]
        pub document: Option<Document>,
        /// Datapoint ids changed by the user or by earlier hooks (`updated` and `user_update`).
        #[serde(default, deserialize_with = "super::id::ids")]
        pub updated_datapoints: Vec<u64>,
        /// Fields not modelled here, kept as sent so that re-serialising loses nothing.
        #[serde(flatten)]
        pub other: Map<String, Value>,
    }
}

impl AnnotationContentEvent {
    /// `event.action`, as Rossum names event types in hook configuration.
    pub fn event_type(&self) -> String {
        format!("{}.{}", self.event, self.action)
    }

    /// The URL of the annotation's queue, as `queue_ids` scope by it.
    pub fn queue_url(&self) -> Option<&str> {
        self.annotation.as_ref()?.other.get("queue")?.as_str()
    }

    /// The annotation's content tree (empty when the body carried none).
    pub fn content(&self) -> &[Node] {
        self.annotation
            .as_ref()
            .map_or(&[], |a| a.content.as_slice())
    }
}

/// The annotation the event is about, with its content tree preloaded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Annotation {
    #[serde(default, deserialize_with = "super::id::optional_id")]
    pub id: Option<u64>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub previous_status: Option<String>,
    #[serde(default)]
    pub document: Option<String>,
    #[serde(default)]
    pub content: Vec<Node>,
    /// Fields not modelled here, kept as sent so that re-serialising loses nothing.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The document the annotation belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    #[serde(default, deserialize_with = "super::id::optional_id")]
    pub id: Option<u64>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub original_file_name: Option<String>,
    #[serde(default)]
    pub arrived_at: Option<String>,
    /// Fields not modelled here, kept as sent so that re-serialising loses nothing.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `rossum_authorization_token`: kept as sent, never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AuthorizationToken(String);

impl AuthorizationToken {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AuthorizationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthorizationToken(<redacted>)")
    }
}

/// `secrets`: the hook's secret values, kept as sent, never shown by `Debug`. Modelled
/// rather than left in `other`, so that printing an event cannot print them.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HookSecrets(Value);

impl HookSecrets {
    pub fn expose(&self) -> &Value {
        &self.0
    }
}

impl fmt::Debug for HookSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HookSecrets(<redacted>)")
    }
}

/// Whether an annotation of the queue at `queue_url` is in `queue_ids`, as Rossum extensions
/// scope a rule or configuration (`queue_ids`): an empty list is every queue; otherwise the
/// URL's last segment must be a listed id.
pub fn in_queues(queue_ids: &[u64], queue_url: Option<&str>) -> bool {
    if queue_ids.is_empty() {
        return true;
    }
    let id = queue_url
        .map(|url| url.trim_end_matches('/'))
        .and_then(|url| url.rsplit('/').next())
        .and_then(|last| last.parse::<u64>().ok());
    id.is_some_and(|id| queue_ids.contains(&id))
}

#[cfg(test)]
mod queue_tests {
    use super::in_queues;

    #[test]
    fn queue_ids_scope_by_the_urls_last_segment() {
        let url = Some("https://example.rossum.app/api/v1/queues/24710/");
        assert!(in_queues(&[], url));
        assert!(in_queues(&[], None));
        assert!(in_queues(&[1, 24710], url));
        assert!(!in_queues(&[2471], url));
        assert!(!in_queues(&[24710], None));
    }
}
