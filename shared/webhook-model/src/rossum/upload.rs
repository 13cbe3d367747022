//! The body Rossum posts for `upload.created` and the answer it reads back.
//!
//! Keys other than these are ignored, because Rossum adds keys without notice.

use super::Message;
use serde::{Deserialize, Serialize};
use serde_json::Value;

hook_delivery! {
    /// An `upload.created` delivery: documents were uploaded to a queue (through the API or as an
    /// email's attachments) and are about to be imported.
    #[derive(Debug, Clone, Deserialize)]
    pub struct UploadCreatedEvent {
        /// One entry per uploaded document: the list the answer mirrors.
        #[serde(default)]
        pub files: Vec<UploadFile>,
        /// The document objects of `files`; `null` or missing is no evidence about any of them.
        #[serde(default)]
        pub documents: Option<Vec<UploadDocument>>,
        /// The upload (its URL, or the object).
        #[serde(default)]
        pub upload: Value,
        /// Client data passed in with the upload.
        #[serde(default)]
        pub metadata: Value,
        /// URL of the email the documents came with; `null` for an upload through the API.
        #[serde(default)]
        pub email: Option<String>,
    }
}

/// One uploaded document, as listed in `files`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UploadFile {
    /// URL of the document object: how the answer names the file.
    pub document: String,
    /// Already set when Rossum (or an earlier hook) decided not to import it.
    #[serde(default)]
    pub prevent_importing: Option<bool>,
    #[serde(default)]
    pub values: Value,
    #[serde(default)]
    pub queue: Option<String>,
    /// URL of the document's annotation, `null` when none exists yet.
    #[serde(default)]
    pub annotation: Option<String>,
}

/// A document object: what is known about an uploaded file.
///
/// Rossum's document object names no pixel dimensions; `width_px` and `height_px` are read
/// when a document object carries them, and an image without them counts as large enough.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UploadDocument {
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub mime_type: Option<String>,
    #[serde(default)]
    pub original_file_name: Option<String>,
    #[serde(default)]
    pub width_px: Option<f64>,
    #[serde(default)]
    pub height_px: Option<f64>,
}

impl attachment_triage::Attachment for UploadDocument {
    fn file_name(&self) -> &str {
        self.original_file_name.as_deref().unwrap_or_default()
    }

    fn mime_type(&self) -> &str {
        self.mime_type.as_deref().unwrap_or_default()
    }

    fn width_px(&self) -> Option<f64> {
        self.width_px
    }

    fn height_px(&self) -> Option<f64> {
        self.height_px
    }
}

/// The answer to `upload.created`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UploadResponse {
    /// Every file of the delivery, in its order.
    pub files: Vec<FileDecision>,
}

/// Whether one uploaded document is imported, and why not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileDecision {
    /// The file's `document` URL, as sent.
    pub document: String,
    /// `true`: no annotation is created for it (an existing one is not moved to `importing`).
    pub prevent_importing: bool,
    /// Appended to the document's annotation, when it has one: why it is not imported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<Message>,
}
