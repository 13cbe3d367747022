//! Index specifications and the keys records and query values have under them.

use std::fmt;

use serde_json::Value;

/// Separates the parts of a compound key (a control character no field value is likely to
/// hold; a value holding it cannot be confused, because each part is also length-prefixed).
pub const KEY_SEPARATOR: char = '\u{1f}';

/// The fields a dataset is indexed by: one (`po_number`), a dotted path (`supplier.id`) or a
/// compound of several (`vendor_id+po_number`), written as at import (`--index`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndexSpec {
    fields: Vec<String>,
}

impl IndexSpec {
    /// Most fields in one compound index.
    pub const MAX_FIELDS: usize = 8;

    /// Reads `field` or `field1+field2`; fields are dotted paths of plain names.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut fields: Vec<String> = Vec::new();
        for field in text.split('+').map(str::trim) {
            if field.is_empty() || field.split('.').any(str::is_empty) {
                return Err(format!(
                    "index {text:?}: a field name is empty (write FIELD, a.dotted.path or FIELD1+FIELD2)"
                ));
            }
            if fields.iter().any(|f| f == field) {
                return Err(format!("index {text:?}: {field:?} is listed twice"));
            }
            fields.push(field.to_owned());
        }
        if fields.len() > Self::MAX_FIELDS {
            return Err(format!(
                "index {text:?}: at most {} fields in one index",
                Self::MAX_FIELDS
            ));
        }
        fields.sort();
        Ok(Self { fields })
    }

    /// The indexed fields, sorted (so `a+b` and `b+a` are one index).
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// The record's key under this index, or `None` when a field is missing or not a scalar
    /// (such a record is not found through this index).
    pub fn key_of(&self, record: &Value) -> Option<String> {
        let values: Option<Vec<&Value>> = self
            .fields
            .iter()
            .map(|field| read_field(record, field))
            .collect();
        index_key(&values?)
    }

    /// Whether every field of this index is among `fields` (a query on `fields` can use it).
    pub fn covered_by(&self, mut fields: impl FnMut(&str) -> bool) -> bool {
        self.fields.iter().all(|f| fields(f))
    }
}

impl fmt::Display for IndexSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fields.join("+"))
    }
}

/// The value at a dotted path of plain object keys (`supplier.id`).
pub fn read_field<'r>(record: &'r Value, dotted: &str) -> Option<&'r Value> {
    dotted
        .split('.')
        .try_fold(record, |value, segment| value.as_object()?.get(segment))
}

/// The text of a record's field that fuzzy lookups block and compare (a number as written,
/// anything else as ""), the same for every store.
pub fn fuzzy_field_text(record: &Value, field: &str) -> String {
    match read_field(record, field) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

/// The typed key of one scalar: `s` + text for a string, `n` + its canonical number for a
/// number (`1`, `1.0` and `1e0` are one key, as MongoDB compares them equal), `b1`/`b0`,
/// `z` for null. Arrays and objects have none.
pub fn scalar_key(value: &Value) -> Option<String> {
    Some(match value {
        Value::String(text) => format!("s{text}"),
        Value::Number(number) => match (number.as_i64(), number.as_u64(), number.as_f64()) {
            (Some(i), _, _) => format!("n{i}"),
            (None, Some(u), _) => format!("n{u}"),
            (None, None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                format!("n{}", f as i64)
            }
            (None, None, Some(f)) => format!("n{f:?}"),
            _ => return None,
        },
        Value::Bool(b) => format!("b{}", u8::from(*b)),
        Value::Null => "z".to_owned(),
        Value::Array(_) | Value::Object(_) => return None,
    })
}

/// The key of several values in an index's field order: each part length-prefixed and
/// separated by [`KEY_SEPARATOR`], so no two value lists share a key.
pub fn index_key(values: &[&Value]) -> Option<String> {
    if let [one] = values {
        return scalar_key(one);
    }
    let mut key = String::new();
    for (i, value) in values.iter().enumerate() {
        let part = scalar_key(value)?;
        if i > 0 {
            key.push(KEY_SEPARATOR);
        }
        key.push_str(&part.len().to_string());
        key.push(':');
        key.push_str(&part);
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn strings_and_numbers_are_different_keys_and_numbers_compare_by_value() {
        assert_ne!(scalar_key(&json!("42")), scalar_key(&json!(42)));
        assert_eq!(scalar_key(&json!(42)), scalar_key(&json!(42.0)));
        assert_ne!(scalar_key(&json!(42.5)), scalar_key(&json!(42)));
        assert_eq!(scalar_key(&json!([1])), None);
        assert_ne!(scalar_key(&json!(" a")), scalar_key(&json!("a")));
    }

    #[test]
    fn compound_keys_read_dotted_fields_in_sorted_order() {
        let spec = IndexSpec::parse("vendor.id + po_number").unwrap();
        assert_eq!(spec.to_string(), "po_number+vendor.id");
        assert_eq!(spec, IndexSpec::parse("po_number+vendor.id").unwrap());
        let record = json!({"po_number": "PO-1", "vendor": {"id": 7}});
        assert_eq!(
            spec.key_of(&record),
            index_key(&[&json!("PO-1"), &json!(7)])
        );
        assert_eq!(spec.key_of(&json!({"po_number": "PO-1"})), None);
        // A separator inside a value cannot make two value lists share a key.
        let a = index_key(&[&json!("x\u{1f}1:sy"), &json!("z")]);
        let b = index_key(&[&json!("x"), &json!("y\u{1f}1:sz")]);
        assert_ne!(a, b);
    }

    #[test]
    fn malformed_index_specs_are_refused_with_what_to_write() {
        assert!(IndexSpec::parse("").unwrap_err().contains("empty"));
        assert!(IndexSpec::parse("a+").unwrap_err().contains("empty"));
        assert!(IndexSpec::parse("a..b").unwrap_err().contains("empty"));
        assert!(IndexSpec::parse("a+a").unwrap_err().contains("twice"));
    }
}
