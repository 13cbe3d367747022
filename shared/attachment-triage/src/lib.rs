//! Which incoming files are worth importing, whichever way they arrive: as the attachments of
//! an `email.received` delivery or as the documents of an `upload.created` one.
//!
//! Noise is recognised by its MIME type (calendar invites, contact cards, cryptographic
//! signatures), by its file name ending, or as an image smaller than `min_image_px` in either
//! dimension (logos, signature images). Everything else is kept, unknown types included, so an
//! unusual invoice format is never lost.
//!
//! Pure logic: no HTTP, no AWS. The settings come from the Rossum hook's `settings` object.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// Per-hook configuration, read from the Rossum hook's `settings` object. A list given in the
/// settings replaces the default list rather than adding to it. A value of the wrong type is
/// refused with the name of its setting.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Images narrower or lower than this many pixels are not imported; 0 keeps them all.
    #[serde(deserialize_with = "min_image_px")]
    pub min_image_px: u32,
    /// MIME types never imported (any case, parameters such as `; method=REQUEST` ignored).
    #[serde(deserialize_with = "ignored_mime_types")]
    pub ignored_mime_types: Vec<String>,
    /// File name endings never imported (any case, with or without the leading dot).
    #[serde(deserialize_with = "ignored_extensions")]
    pub ignored_extensions: Vec<String>,
}

fn min_image_px<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    named(deserializer, "min_image_px")
}

fn ignored_mime_types<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    named(deserializer, "ignored_mime_types")
}

fn ignored_extensions<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    named(deserializer, "ignored_extensions")
}

/// The value of setting `name`, or an error that says which setting is wrong.
fn named<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
    name: &str,
) -> Result<T, D::Error> {
    T::deserialize(deserializer).map_err(|e| serde::de::Error::custom(format!("{name}: {e}")))
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            min_image_px: 300,
            ignored_mime_types: [
                "text/calendar",
                "application/ics",
                "application/pkcs7-signature",
                "application/x-pkcs7-signature",
                "application/pgp-signature",
                "text/vcard",
                "text/x-vcard",
            ]
            .map(String::from)
            .to_vec(),
            ignored_extensions: [".ics", ".vcf", ".p7s", ".asc"].map(String::from).to_vec(),
        }
    }
}

/// Settings that parse but could only do harm; the message names the setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSettings(String);

impl fmt::Display for InvalidSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidSettings {}

impl Settings {
    /// The settings, unless they contain an entry that cannot have been meant.
    pub fn validate(self) -> Result<Self, InvalidSettings> {
        // A blank entry is a typo that would silently match nothing useful: refuse it to get it fixed.
        let lists = [
            ("ignored_mime_types", &self.ignored_mime_types),
            ("ignored_extensions", &self.ignored_extensions),
        ];
        for (name, entries) in lists {
            if entries
                .iter()
                .any(|e| e.trim().trim_start_matches('.').is_empty())
            {
                return Err(InvalidSettings(format!(
                    "invalid hook settings: {name} must not contain empty entries"
                )));
            }
        }
        Ok(self)
    }
}

/// What triage needs to know about a file. An empty name or type, or an unknown dimension,
/// is no evidence of noise.
pub trait Attachment {
    /// The file's name as sent (only its ending is looked at).
    fn file_name(&self) -> &str;
    /// The file's MIME type as sent.
    fn mime_type(&self) -> &str;
    /// Width in pixels, when known.
    fn width_px(&self) -> Option<f64>;
    /// Height in pixels, when known.
    fn height_px(&self) -> Option<f64>;
}

impl<T: Attachment + ?Sized> Attachment for &T {
    fn file_name(&self) -> &str {
        (**self).file_name()
    }
    fn mime_type(&self) -> &str {
        (**self).mime_type()
    }
    fn width_px(&self) -> Option<f64> {
        (**self).width_px()
    }
    fn height_px(&self) -> Option<f64> {
        (**self).height_px()
    }
}

/// What happens to one file, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Triage {
    /// Imported: Rossum creates an annotation for it.
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
pub fn triage<A: Attachment + ?Sized>(file: &A, settings: &Settings) -> Triage {
    let mime_type = mime_essence(file.mime_type());
    if settings
        .ignored_mime_types
        .iter()
        .any(|ignored| mime_essence(ignored) == mime_type)
    {
        Triage::IgnoredMimeType
    } else if has_ignored_extension(file.file_name(), &settings.ignored_extensions) {
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
fn is_smaller_than<A: Attachment + ?Sized>(file: &A, min_px: u32) -> bool {
    [file.width_px(), file.height_px()]
        .into_iter()
        .flatten()
        .any(|px| px < f64::from(min_px))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct File {
        name: &'static str,
        mime_type: &'static str,
        size_px: Option<(f64, f64)>,
    }

    impl Attachment for File {
        fn file_name(&self) -> &str {
            self.name
        }
        fn mime_type(&self) -> &str {
            self.mime_type
        }
        fn width_px(&self) -> Option<f64> {
            self.size_px.map(|(w, _)| w)
        }
        fn height_px(&self) -> Option<f64> {
            self.size_px.map(|(_, h)| h)
        }
    }

    fn verdict(name: &'static str, mime_type: &'static str, size_px: Option<(f64, f64)>) -> Triage {
        let file = File {
            name,
            mime_type,
            size_px,
        };
        triage(&file, &Settings::default())
    }

    #[test]
    fn noise_is_recognised_by_type_ending_and_size() {
        assert_eq!(
            verdict("invite.ics", "text/calendar; method=REQUEST", None),
            Triage::IgnoredMimeType
        );
        assert_eq!(
            verdict("Jana.VCF", "application/octet-stream", None),
            Triage::IgnoredExtension
        );
        assert_eq!(
            verdict("logo.png", "image/png", Some((120.0, 40.0))),
            Triage::SmallImage
        );
        assert_eq!(
            verdict("invoice.pdf", "application/pdf", Some((120.0, 40.0))),
            Triage::Import
        );
        assert_eq!(verdict("logo.png", "image/png", None), Triage::Import);
        assert_eq!(verdict("", "", None), Triage::Import);
    }

    #[test]
    fn a_blank_list_entry_is_refused_and_named() {
        let settings = Settings {
            ignored_extensions: vec![" . ".to_owned()],
            ..Settings::default()
        };
        let error = settings.validate().unwrap_err().to_string();
        assert_eq!(
            error,
            "invalid hook settings: ignored_extensions must not contain empty entries"
        );
        let settings = Settings {
            ignored_mime_types: vec![String::new()],
            ..Settings::default()
        };
        let error = settings.validate().unwrap_err().to_string();
        assert!(error.contains("ignored_mime_types"), "{error}");
        assert_eq!(
            Settings::default().validate(),
            Ok(Settings::default()),
            "the defaults are valid"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_refused_with_its_name() {
        for (settings, name) in [
            (r#"{"min_image_px": "big"}"#, "min_image_px"),
            (r#"{"min_image_px": -1}"#, "min_image_px"),
            (
                r#"{"ignored_mime_types": "text/calendar"}"#,
                "ignored_mime_types",
            ),
            (
                r#"{"ignored_extensions": [".ics", 7]}"#,
                "ignored_extensions",
            ),
        ] {
            let error = serde_json::from_str::<Settings>(settings)
                .unwrap_err()
                .to_string();
            assert!(
                error.starts_with(&format!("{name}: ")),
                "{settings}: {error}"
            );
        }
    }

    #[test]
    fn missing_keys_take_their_defaults() {
        let settings: Settings =
            serde_json::from_str(r#"{"min_image_px": 50, "unrelated": true}"#).unwrap();
        assert_eq!(
            settings,
            Settings {
                min_image_px: 50,
                ..Settings::default()
            }
        );
    }
}
