//! Inkit webhook bodies and the document the Inkit API describes.
//!
//! A webhook body is exactly `{"event_type": "<CODE>", "resource_id": "<id>"}`: no event id
//! and no timestamp, so a redelivery is recognisable only by that pair. The document is the
//! answer of `GET /v1/document/{id}`; fields Inkit adds later are kept in
//! [`Document::other`].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Inkit's webhook event codes, as documented, with a fallback for codes added later.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InkitEventType {
    DocumentCreateFailed,
    DocumentCreateFinished,
    DocumentDeleted,
    DocumentPdfAccess,
    DocusignCreateFailed,
    DocusignCreateFinished,
    FolderCreated,
    FolderDeleted,
    MagicLinkAccess,
    MagicLinkAccessFailed,
    MagicLinkCreateFailed,
    MagicLinkCreated,
    MailCreateFailed,
    MailCreateFinished,
    RenderCreateFailed,
    RenderCreateFinished,
    RenderMetadataAccess,
    SalesforceCreateFailed,
    SalesforceCreateFinished,
    /// A code this version does not know, exactly as sent.
    Unknown(String),
}

impl InkitEventType {
    /// Every documented code, in Inkit's order.
    pub const DOCUMENTED: [InkitEventType; 19] = [
        InkitEventType::DocumentCreateFailed,
        InkitEventType::DocumentCreateFinished,
        InkitEventType::DocumentDeleted,
        InkitEventType::DocumentPdfAccess,
        InkitEventType::DocusignCreateFailed,
        InkitEventType::DocusignCreateFinished,
        InkitEventType::FolderCreated,
        InkitEventType::FolderDeleted,
        InkitEventType::MagicLinkAccess,
        InkitEventType::MagicLinkAccessFailed,
        InkitEventType::MagicLinkCreateFailed,
        InkitEventType::MagicLinkCreated,
        InkitEventType::MailCreateFailed,
        InkitEventType::MailCreateFinished,
        InkitEventType::RenderCreateFailed,
        InkitEventType::RenderCreateFinished,
        InkitEventType::RenderMetadataAccess,
        InkitEventType::SalesforceCreateFailed,
        InkitEventType::SalesforceCreateFinished,
    ];

    /// The code as Inkit spells it (`DOCUMENT_CREATE_FINISHED`).
    pub fn as_str(&self) -> &str {
        match self {
            InkitEventType::DocumentCreateFailed => "DOCUMENT_CREATE_FAILED",
            InkitEventType::DocumentCreateFinished => "DOCUMENT_CREATE_FINISHED",
            InkitEventType::DocumentDeleted => "DOCUMENT_DELETED",
            InkitEventType::DocumentPdfAccess => "DOCUMENT_PDF_ACCESS",
            InkitEventType::DocusignCreateFailed => "DOCUSIGN_CREATE_FAILED",
            InkitEventType::DocusignCreateFinished => "DOCUSIGN_CREATE_FINISHED",
            InkitEventType::FolderCreated => "FOLDER_CREATED",
            InkitEventType::FolderDeleted => "FOLDER_DELETED",
            InkitEventType::MagicLinkAccess => "MAGIC_LINK_ACCESS",
            InkitEventType::MagicLinkAccessFailed => "MAGIC_LINK_ACCESS_FAILED",
            InkitEventType::MagicLinkCreateFailed => "MAGIC_LINK_CREATE_FAILED",
            InkitEventType::MagicLinkCreated => "MAGIC_LINK_CREATED",
            InkitEventType::MailCreateFailed => "MAIL_CREATE_FAILED",
            InkitEventType::MailCreateFinished => "MAIL_CREATE_FINISHED",
            InkitEventType::RenderCreateFailed => "RENDER_CREATE_FAILED",
            InkitEventType::RenderCreateFinished => "RENDER_CREATE_FINISHED",
            InkitEventType::RenderMetadataAccess => "RENDER_METADATA_ACCESS",
            InkitEventType::SalesforceCreateFailed => "SALESFORCE_CREATE_FAILED",
            InkitEventType::SalesforceCreateFinished => "SALESFORCE_CREATE_FINISHED",
            InkitEventType::Unknown(code) => code,
        }
    }

    /// The event of `code`; an undocumented code is [`InkitEventType::Unknown`]. Codes are
    /// compared exactly: Inkit documents them in upper case.
    pub fn from_code(code: &str) -> Self {
        Self::DOCUMENTED
            .iter()
            .find(|known| known.as_str() == code)
            .cloned()
            .unwrap_or_else(|| InkitEventType::Unknown(code.to_owned()))
    }
}

impl fmt::Display for InkitEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for InkitEventType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for InkitEventType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Ok(Self::from_code(&code))
    }
}

/// The body of every Inkit webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InkitWebhook {
    pub event_type: InkitEventType,
    /// The resource the event is about (`doc_...` for document events).
    pub resource_id: String,
    /// Fields Inkit may add later, kept as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `created_by` of a document: the Inkit user who created it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreatedBy {
    #[serde(
        default,
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub first_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Fields not documented yet, kept as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A generated document, as `GET /v1/document/{id}` describes it. Only `id` is required.
/// Inkit does not specify the other fields' formats, so each is taken leniently: a text
/// field takes any string (and a number or boolean written as text), a count any
/// non-negative integer (or a string holding one); anything else reads as absent rather than
/// making the whole document unreadable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    #[serde(
        default,
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub render_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub folder_id: Option<String>,
    /// As Inkit writes it, in whatever text form (its format is not specified).
    #[serde(
        default,
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient_created_by",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_by: Option<CreatedBy>,
    #[serde(
        default,
        deserialize_with = "lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub expire_at: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub expire_after_n_views: Option<u64>,
    #[serde(
        default,
        deserialize_with = "lenient_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub expire_views_left: Option<u64>,
    /// Fields not documented yet, kept as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Text as sent; a number or boolean as its text; anything else (null, a list, an object) absent.
fn lenient_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    })
}

/// A non-negative integer, or a string holding one; anything else (-1, 2.5, "many") absent.
fn lenient_count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    })
}

/// An object as [`CreatedBy`]; anything else absent.
fn lenient_created_by<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<CreatedBy>, D::Error> {
    Ok(match Value::deserialize(d)? {
        value @ Value::Object(_) => serde_json::from_value(value).ok(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_documented_code_round_trips_and_others_are_kept() {
        for known in InkitEventType::DOCUMENTED {
            let code = serde_json::to_value(&known).unwrap();
            assert_eq!(
                serde_json::from_value::<InkitEventType>(code).unwrap(),
                known
            );
            assert!(!matches!(known, InkitEventType::Unknown(_)));
        }
        let later: InkitEventType = serde_json::from_value(json!("TEMPLATE_CREATED")).unwrap();
        assert_eq!(
            later,
            InkitEventType::Unknown("TEMPLATE_CREATED".to_owned())
        );
        assert_eq!(later.to_string(), "TEMPLATE_CREATED");
        // Exact comparison: a lower-case code is not the documented event.
        assert_eq!(
            InkitEventType::from_code("document_deleted"),
            InkitEventType::Unknown("document_deleted".to_owned())
        );
    }

    #[test]
    fn what_inkit_does_not_specify_is_read_leniently_without_losing_the_document() {
        let document: Document = serde_json::from_value(json!({
            "id": "doc_1",
            "name": "Letter",
            "created_at": "Fri, 20 Nov 2026 09:52:44 GMT",
            "expire_at": 1795772477,
            "expire_after_n_views": -1,
            "expire_views_left": "2",
            "created_by": "api",
            "status": null
        }))
        .unwrap();
        assert_eq!(document.id, "doc_1");
        assert_eq!(document.name.as_deref(), Some("Letter"));
        assert_eq!(
            document.created_at.as_deref(),
            Some("Fri, 20 Nov 2026 09:52:44 GMT")
        );
        assert_eq!(document.expire_at.as_deref(), Some("1795772477"));
        assert_eq!(document.expire_after_n_views, None);
        assert_eq!(document.expire_views_left, Some(2));
        assert_eq!(document.created_by, None);
        assert_eq!(document.status, None);
        for created_at in [
            json!(1795167164),
            json!("2026-11-20 09:52:44"),
            json!("20/11/2026"),
        ] {
            let document: Document =
                serde_json::from_value(json!({"id": "doc_1", "created_at": created_at})).unwrap();
            assert!(document.created_at.is_some());
        }
        // Without an id it is not a document.
        assert!(serde_json::from_value::<Document>(json!({"name": "Letter"})).is_err());
    }

    #[test]
    fn the_webhook_body_as_documented() {
        let body: InkitWebhook = serde_json::from_value(json!({
            "event_type": "DOCUMENT_CREATE_FINISHED",
            "resource_id": "doc_2N0X2g4f3b1JJU75fqzDZs"
        }))
        .unwrap();
        assert_eq!(body.event_type, InkitEventType::DocumentCreateFinished);
        assert_eq!(body.resource_id, "doc_2N0X2g4f3b1JJU75fqzDZs");
        assert!(serde_json::from_value::<InkitWebhook>(json!({"event_type": "X"})).is_err());
        assert!(
            serde_json::from_value::<InkitWebhook>(json!({"event_type": 1, "resource_id": "d"}))
                .is_err()
        );
    }

    #[test]
    fn a_document_keeps_fields_it_does_not_know() {
        let sent = json!({
            "id": "doc_2N0X2g4f3b1JJU75fqzDZs",
            "name": "Welcome letter - Jane Doe",
            "description": null,
            "status": "completed",
            "render_id": "rend_4kXq9r2ZbT0mP1aW8sYcDe",
            "folder_id": "fold_7Hs3LmQ0vNp2Rt5Uw9XyZa",
            "created_at": "2026-11-20T09:52:44.118Z",
            "created_by": {"first_name": "Jane", "last_name": "Doe", "name": "Jane Doe", "email": "j@example.com"},
            "expire_at": null,
            "expire_after_n_views": 3,
            "expire_views_left": 2,
            "page_count": 4
        });
        let document: Document = serde_json::from_value(sent).unwrap();
        assert_eq!(document.status.as_deref(), Some("completed"));
        assert_eq!(document.description, None);
        assert_eq!(document.other["page_count"], json!(4));
        let created_by = document.created_by.as_ref().unwrap();
        assert_eq!(created_by.other["email"], json!("j@example.com"));
        let again = serde_json::to_value(&document).unwrap();
        assert_eq!(again["page_count"], json!(4));
        assert_eq!(again["expire_views_left"], json!(2));

        assert!(serde_json::from_value::<Document>(json!({"id": "doc_1"})).is_ok());
        assert!(serde_json::from_value::<Document>(json!({"name": "no id"})).is_err());
        assert!(serde_json::from_value::<Document>(json!({"id": 7})).is_err());
    }
}

/// The answer of an Inkit function that only records the event (for whoever reads Inkit's
/// webhook log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedResponse {
    /// Whether this delivery recorded the event.
    pub recorded: bool,
    /// Present (and true) when an earlier delivery recorded it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
}

impl RecordedResponse {
    /// `duplicate`: an earlier delivery of the same (event_type, resource_id) recorded it.
    pub fn new(duplicate: bool) -> Self {
        Self {
            recorded: !duplicate,
            duplicate,
        }
    }
}
