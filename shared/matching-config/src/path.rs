//! Where a record's values are read from: MDH's JMESPath-like keys (`dataset_key`, the
//! `{...}` of a `label_template`, `label_keys`), the subset real configurations use: dotted
//! paths, `"quoted-key"` segments, `[n]` indexes and `|| 'fallback'` alternatives.

use serde_json::Value;

/// Longest key text accepted.
pub const MAX_PATH_CHARS: usize = 512;

/// A record key, with the alternatives tried after it when it reads nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPath {
    alternatives: Vec<Alternative>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Alternative {
    Path(Vec<Segment>),
    /// A `'raw string'`.
    Literal(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl RecordPath {
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() > MAX_PATH_CHARS {
            return Err(format!(
                "a key of {} characters is longer than the {MAX_PATH_CHARS} allowed",
                text.len()
            ));
        }
        let mut alternatives = Vec::new();
        for alternative in split_alternatives(text)? {
            let alternative = alternative.trim();
            if let Some(quoted) = alternative.strip_prefix('\'') {
                let literal = quoted
                    .strip_suffix('\'')
                    .ok_or_else(|| format!("{text:?} has a ' that no ' closes"))?;
                alternatives.push(Alternative::Literal(literal.replace("\\'", "'")));
            } else {
                alternatives.push(Alternative::Path(segments(alternative, text)?));
            }
        }
        Ok(Self { alternatives })
    }

    /// A path of one key, as a field name of a `find` names it (dots separate nested keys).
    pub fn field(name: &str) -> Result<Self, String> {
        let segments = name
            .split('.')
            .map(|key| match key {
                "" => Err(format!("the field {name:?} has an empty part")),
                key => Ok(Segment::Key(key.to_owned())),
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            alternatives: vec![Alternative::Path(segments)],
        })
    }

    /// The value at the first alternative that reads something (as JMESPath's `||`: a missing
    /// key, `null`, `""`, `false`, an empty list or object read nothing).
    pub fn read<'r>(&self, record: &'r Value) -> Option<ReadValue<'r>> {
        self.alternatives
            .iter()
            .find_map(|alternative| match alternative {
                Alternative::Literal(text) => Some(ReadValue::Text(text.clone())),
                Alternative::Path(segments) => lookup(record, segments)
                    .filter(|value| is_truthy(value))
                    .map(ReadValue::Json),
            })
    }

    /// [`RecordPath::read`] as text (`""` when nothing is read): strings as they are, other
    /// values as JSON.
    pub fn text(&self, record: &Value) -> String {
        match self.read(record) {
            None => String::new(),
            Some(ReadValue::Text(text)) => text,
            Some(ReadValue::Json(Value::String(text))) => text.clone(),
            Some(ReadValue::Json(value)) => value.to_string(),
        }
    }

    /// The value at the path itself (first alternative), `null` included, for equality.
    pub fn lookup<'r>(&self, record: &'r Value) -> Option<&'r Value> {
        match self.alternatives.first() {
            Some(Alternative::Path(segments)) => lookup(record, segments),
            _ => None,
        }
    }

    /// The path's keys joined by dots, when it is a plain path (how an index names it).
    pub fn dotted(&self) -> Option<String> {
        match self.alternatives.as_slice() {
            [Alternative::Path(segments)] => segments
                .iter()
                .map(|segment| match segment {
                    Segment::Key(key) => Some(key.as_str()),
                    Segment::Index(_) => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(|keys| keys.join(".")),
            _ => None,
        }
    }
}

/// What a path read: a record's value, or a fallback literal.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadValue<'r> {
    Json(&'r Value),
    Text(String),
}

fn lookup<'r>(record: &'r Value, segments: &[Segment]) -> Option<&'r Value> {
    segments
        .iter()
        .try_fold(record, |value, segment| match segment {
            Segment::Key(key) => value.get(key.as_str()),
            Segment::Index(index) => value.get(*index),
        })
}

fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::String(text) => !text.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(fields) => !fields.is_empty(),
        _ => true,
    }
}

/// `text` split at each `||` outside quotes.
fn split_alternatives(text: &str) -> Result<Vec<&str>, String> {
    let (mut parts, mut start, mut quote) = (Vec::new(), 0, None);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match (quote, bytes[i]) {
            (Some(q), b'\\') if i + 1 < bytes.len() && bytes[i + 1] == q => i += 1,
            (Some(q), c) if c == q => quote = None,
            (None, c @ (b'\'' | b'"')) => quote = Some(c),
            (None, b'|') if bytes.get(i + 1) == Some(&b'|') => {
                parts.push(&text[start..i]);
                start = i + 2;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    if quote.is_some() {
        return Err(format!("{text:?} has a quote that nothing closes"));
    }
    parts.push(&text[start..]);
    if parts.iter().any(|part| part.trim().is_empty()) {
        return Err(format!("{text:?} has an empty key"));
    }
    Ok(parts)
}

/// The segments of one dotted path: bare keys (anything but `.`, `[` and quotes, trimmed),
/// `"quoted"` keys, `[n]` indexes.
fn segments(path: &str, whole: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut rest = path.trim();
    let malformed = || format!("{whole:?} is not a key this matching reads");
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = closing_quote(quoted).ok_or_else(malformed)?;
            segments.push(Segment::Key(quoted[..end].replace("\\\"", "\"")));
            rest = &quoted[end + 1..];
        } else if let Some(indexed) = rest.strip_prefix('[') {
            let end = indexed.find(']').ok_or_else(malformed)?;
            let index = indexed[..end].trim().parse().map_err(|_| malformed())?;
            segments.push(Segment::Index(index));
            rest = &indexed[end + 1..];
        } else {
            let end = rest.find(['.', '[', '"']).unwrap_or(rest.len());
            let key = rest[..end].trim();
            if key.is_empty() {
                return Err(malformed());
            }
            segments.push(Segment::Key(key.to_owned()));
            rest = &rest[end..];
        }
        rest = rest.trim_start();
        if let Some(after_dot) = rest.strip_prefix('.') {
            rest = after_dot.trim_start();
            if rest.is_empty() {
                return Err(malformed());
            }
        } else if !rest.is_empty() && !rest.starts_with('[') {
            return Err(malformed());
        }
    }
    if segments.is_empty() {
        return Err(malformed());
    }
    Ok(segments)
}

fn closing_quote(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> Value {
        json!({
            "id": 17,
            "name": "Acme s.r.o.",
            "supplier": {"id": "S-9"},
            "primary-address": {"country": {"code": "CZ"}},
            "content": [{"content": {"value": "first"}}],
            "empty": "",
            "Vendor name": "Acme"
        })
    }

    #[test]
    fn paths_read_what_real_configurations_name() {
        let record = record();
        for (key, expected) in [
            ("id", "17"),
            ("name", "Acme s.r.o."),
            ("supplier.id", "S-9"),
            ("\"primary-address\".country.code || ''", "CZ"),
            ("content[0].content.value || ''", "first"),
            ("missing || 'fallback'", "fallback"),
            ("empty || name", "Acme s.r.o."),
            ("missing", ""),
            ("Vendor name", "Acme"),
            ("supplier", "{\"id\":\"S-9\"}"),
        ] {
            let path = RecordPath::parse(key).unwrap_or_else(|e| panic!("{key:?}: {e}"));
            assert_eq!(path.text(&record), expected, "{key:?}");
        }
    }

    #[test]
    fn a_find_field_is_a_dotted_path() {
        let record = record();
        let field = RecordPath::field("supplier.id").unwrap();
        assert_eq!(field.lookup(&record), Some(&json!("S-9")));
        assert_eq!(field.dotted().as_deref(), Some("supplier.id"));
        assert!(RecordPath::field("supplier..id").is_err());
    }

    #[test]
    fn malformed_keys_are_refused_naming_them() {
        for key in ["", "a ||", "'open", "\"open.x", "a[x]", "a.", "|| b"] {
            let error = RecordPath::parse(key).unwrap_err();
            assert!(error.contains(&format!("{key:?}")), "{key:?}: {error}");
        }
    }
}
