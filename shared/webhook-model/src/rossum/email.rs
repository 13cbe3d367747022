//! The body Rossum posts for `email.received` and the answer it reads back.
//!
//! Keys other than these are ignored, because Rossum adds keys without notice.

use serde::{Deserialize, Serialize};

hook_delivery! {
    /// An `email.received` delivery: an email arrived in a queue's inbox.
    #[derive(Debug, Clone, Deserialize)]
    pub struct EmailReceivedEvent {
        /// The email's attachments, each already stored by Rossum as a document.
        #[serde(default)]
        pub files: Vec<EmailFile>,
        #[serde(default)]
        pub headers: EmailHeaders,
        #[serde(default)]
        pub body: EmailBody,
        /// URL of the email object.
        #[serde(default)]
        pub email: Option<String>,
        /// URL of the queue whose inbox received the email.
        #[serde(default)]
        pub queue: Option<String>,
    }
}

/// One attachment of the email.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EmailFile {
    pub id: FileId,
    #[serde(default)]
    pub filename: String,
    #[serde(default)]
    pub mime_type: String,
    #[serde(default)]
    pub n_pages: Option<u32>,
    /// Pixels (300 DPI assumed for PDFs); `null` when Rossum could not tell.
    #[serde(default)]
    pub height_px: Option<f64>,
    #[serde(default)]
    pub width_px: Option<f64>,
    /// URL of the document Rossum created for the attachment.
    #[serde(default)]
    pub document: Option<String>,
}

impl attachment_triage::Attachment for EmailFile {
    fn file_name(&self) -> &str {
        &self.filename
    }

    fn mime_type(&self) -> &str {
        &self.mime_type
    }

    fn width_px(&self) -> Option<f64> {
        self.width_px
    }

    fn height_px(&self) -> Option<f64> {
        self.height_px
    }
}

/// A file's identifier. Rossum documents it as a string on the way in and an integer on the
/// way out, so it is answered in the form it arrived in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FileId {
    Number(u64),
    Text(String),
}

/// The email's own headers (not those of a message forwarded inside it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct EmailHeaders {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default, rename = "reply-to")]
    pub reply_to: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default, rename = "message-id")]
    pub message_id: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
}

/// The email's text; either part may be `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct EmailBody {
    #[serde(default)]
    pub body_text_plain: Option<String>,
    #[serde(default)]
    pub body_text_html: Option<String>,
}

/// The answer to `email.received`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmailResponse {
    /// The attachments to import; those left out are not turned into annotations.
    pub files: Vec<FileToImport>,
    /// Replaces the email's sender, shown in Rossum, when the email was forwarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extracted_original_sender: Option<OriginalSender>,
}

/// An attachment to import, with values to initialise its annotation from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileToImport {
    pub id: FileId,
    pub values: Vec<EmailValue>,
}

impl FileToImport {
    pub fn new(id: FileId) -> Self {
        Self { id, values: vec![] }
    }
}

/// A value a schema field reads through `rir_field_names`; `id` starts with `email:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailValue {
    pub id: String,
    pub value: String,
}

/// The sender of the message that was forwarded to the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginalSender {
    pub email: String,
    /// Empty when the header carried an address only.
    pub name: String,
}
