//! What the upload tests share: the sample and the triage decisions it gets.

use serde_json::Value;

crate::support::samples!("rossum-upload-created");
/// What the sample carries that must never reach a log: the API token, file names.
pub const PRIVATE: &[&str] = &[
    "8c1e4a7f2d9b05c3e6a1f4b7d0c2e5a8f1b4d7c0",
    "INV-2026-10873.pdf",
    "Jana Novakova.vcf",
    "invite.ics",
];
pub const DOCUMENTS: &str = "https://example.rossum.app/api/v1/documents";

/// The triage of the sample: the invoice imported, the rest not.
pub const SAMPLE_DECISIONS: [(&str, bool); 4] = [
    ("3312101", false),
    ("3312102", true),
    ("3312103", true),
    ("3312104", true),
];

/// The sample after `edit`.
pub fn with(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    crate::support::edited(SAMPLE, edit)
}

/// `(document id, prevent_importing)` of every file answered, in order.
pub fn decisions(body: &Value) -> Vec<(String, bool)> {
    body["files"]
        .as_array()
        .expect("a files list")
        .iter()
        .map(|f| {
            let url = f["document"].as_str().unwrap();
            let id = url.strip_prefix(&format!("{DOCUMENTS}/")).unwrap_or(url);
            (id.to_owned(), f["prevent_importing"].as_bool().unwrap())
        })
        .collect()
}

pub fn expected(pairs: &[(&str, bool)]) -> Vec<(String, bool)> {
    pairs.iter().map(|(id, p)| ((*id).to_owned(), *p)).collect()
}
