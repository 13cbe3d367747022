//! Which attachments of an email are worth importing.

use crate::Settings;
use crate::model::EmailFile;

/// What happens to one attachment, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Triage {
    /// Listed in the answer: Rossum creates an annotation for it.
    Import,
    /// Its MIME type is in `ignored_mime_types` (invites, contact cards, signatures).
    IgnoredMimeType,
    /// Its file name ends in one of `ignored_extensions`.
    IgnoredExtension,
    /// An image below `min_image_px` in width or height: a logo or signature image.
    SmallImage,
}

/// Decides whether `file` is imported. Everything not recognised as noise is kept, so an
/// unusual invoice format is never lost.
pub fn triage(file: &EmailFile, settings: &Settings) -> Triage {
    let mime_type = mime_essence(&file.mime_type);
    if settings
        .ignored_mime_types
        .iter()
        .any(|ignored| mime_essence(ignored) == mime_type)
    {
        Triage::IgnoredMimeType
    } else if has_ignored_extension(&file.filename, &settings.ignored_extensions) {
        Triage::IgnoredExtension
    } else if mime_type.starts_with("image/") && is_smaller_than(file, settings.min_image_px) {
        Triage::SmallImage
    } else {
        Triage::Import
    }
}

/// `type/subtype` in lower case, without parameters such as `; charset=utf-8`.
fn mime_essence(mime_type: &str) -> String {
    let essence = mime_type.split(';').next().unwrap_or_default();
    essence.trim().to_ascii_lowercase()
}

fn has_ignored_extension(filename: &str, ignored_extensions: &[String]) -> bool {
    let filename = filename.trim().to_lowercase();
    ignored_extensions.iter().any(|extension| {
        let extension = extension.trim().trim_start_matches('.').to_lowercase();
        filename.ends_with(&format!(".{extension}"))
    })
}

/// An unknown dimension counts as large enough: without it there is no evidence of a logo.
fn is_smaller_than(file: &EmailFile, min_px: u32) -> bool {
    [file.width_px, file.height_px]
        .into_iter()
        .flatten()
        .any(|px| px < f64::from(min_px))
}
