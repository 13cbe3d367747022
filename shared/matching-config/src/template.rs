//! Text with `{schema_id}` placeholders, as MDH writes dataset names, query values and the
//! strings of action conditions.

/// Longest text a template may be (placeholders included): a bound on what one
/// configuration can make us build.
pub const MAX_TEMPLATE_CHARS: usize = 4096;

/// A text whose `{schema_id}` placeholders are replaced by the annotation's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Placeholder(String),
}

impl Template {
    /// Reads `text`; a `{` that opens no placeholder of a schema id (an unclosed brace, a
    /// filter such as `{x | re}`, anything but a schema id) is refused, naming it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        for piece in braced_pieces(text)? {
            match piece {
                Piece::Text(literal) => parts.push(Part::Text(literal.to_owned())),
                Piece::Braced(inner) => {
                    let inner = inner.trim();
                    if inner.contains('|') {
                        return Err(format!(
                            "placeholder filters such as {{{inner}}} are not supported (they serve regular expressions, which equality queries do not use)"
                        ));
                    }
                    if !is_schema_id(inner) {
                        return Err(format!(
                            "{{{inner}}} in {text:?} is not a placeholder of a schema id"
                        ));
                    }
                    parts.push(Part::Placeholder(inner.to_owned()));
                }
            }
        }
        Ok(Self { parts })
    }

    /// The schema ids the template reads, in order (repeated as often as they appear).
    pub fn schema_ids(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Placeholder(id) => Some(id.as_str()),
            Part::Text(_) => None,
        })
    }

    /// The schema id when the whole template is that one placeholder (its value may then be
    /// substituted as a number).
    pub fn sole_placeholder(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Placeholder(id)] => Some(id),
            _ => None,
        }
    }

    /// The text with each placeholder replaced by `value_of` its schema id; the first schema
    /// id `value_of` does not know is the error.
    pub fn render<'v>(&self, value_of: impl Fn(&str) -> Option<&'v str>) -> Result<String, &str> {
        let mut text = String::new();
        for part in &self.parts {
            match part {
                Part::Text(literal) => text.push_str(literal),
                Part::Placeholder(id) => text.push_str(value_of(id).ok_or(id.as_str())?),
            }
        }
        Ok(text)
    }
}

/// A piece of a text whose `{...}` are references: the text between them, or what a pair of
/// braces holds.
pub(crate) enum Piece<'t> {
    Text(&'t str),
    Braced(&'t str),
}

/// `text` cut at its `{...}` (placeholders here, record keys in label templates), at most
/// [`MAX_TEMPLATE_CHARS`] long; a `{` that no `}` closes is refused.
pub(crate) fn braced_pieces(text: &str) -> Result<Vec<Piece<'_>>, String> {
    if text.len() > MAX_TEMPLATE_CHARS {
        return Err(format!(
            "a text of {} characters is longer than the {MAX_TEMPLATE_CHARS} allowed",
            text.len()
        ));
    }
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(Piece::Text(&rest[..open]));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("{text:?} has a '{{' that no '}}' closes"))?;
        pieces.push(Piece::Braced(&after[..close]));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

/// Whether `text` can be a schema id: letters, digits, `_` and `-`, at most 200 characters.
pub fn is_schema_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 200
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(id: &str) -> Option<&'static str> {
        match id {
            "sender_vat" => Some("CZ123"),
            "queue_country" => Some("cz"),
            "empty" => Some(""),
            _ => None,
        }
    }

    #[test]
    fn placeholders_are_replaced_by_the_annotations_values() {
        let dataset = Template::parse("PurchaseOrder_{queue_country}_v1").unwrap();
        assert_eq!(dataset.render(values), Ok("PurchaseOrder_cz_v1".to_owned()));
        assert_eq!(dataset.sole_placeholder(), None);
        let value = Template::parse("{sender_vat}").unwrap();
        assert_eq!(value.sole_placeholder(), Some("sender_vat"));
        assert_eq!(value.render(values), Ok("CZ123".to_owned()));
        assert_eq!(
            Template::parse("{ empty }").unwrap().render(values),
            Ok(String::new())
        );
        assert_eq!(
            Template::parse("plain").unwrap().render(values),
            Ok("plain".to_owned())
        );
    }

    #[test]
    fn a_missing_schema_id_is_named() {
        let template = Template::parse("{sender_vat}-{sender_iban}").unwrap();
        assert_eq!(template.render(values), Err("sender_iban"));
        assert_eq!(
            template.schema_ids().collect::<Vec<_>>(),
            ["sender_vat", "sender_iban"]
        );
    }

    #[test]
    fn what_is_not_a_placeholder_is_refused_naming_it() {
        for (text, says) in [
            ("{sender_name | re}", "placeholder filters"),
            ("{unclosed", "no '}' closes"),
            ("{a b}", "not a placeholder of a schema id"),
            ("{}", "not a placeholder of a schema id"),
        ] {
            let error = Template::parse(text).unwrap_err();
            assert!(error.contains(says), "{text:?}: {error}");
        }
        let huge = "x".repeat(MAX_TEMPLATE_CHARS + 1);
        assert!(Template::parse(&huge).unwrap_err().contains("longer than"));
    }
}
