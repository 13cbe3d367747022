//! What an equality `find` compares, as MongoDB compares it: a record's field equals a value
//! when both are the same text exactly, or numbers of the same value, or the same boolean;
//! `null` also matches a record without the field. A text never equals a number.

use serde_json::Value;

use crate::config::FindValue;
use crate::path::RecordPath;

impl FindValue {
    /// The value the field must equal for one annotation: placeholders replaced by
    /// `value_of`, and a sole placeholder of a datapoint `is_number` says is a number read as
    /// a number (Rossum keeps every value as text; MDH converts such ids before a query uses
    /// them). The first schema id `value_of` does not know is the error.
    pub fn resolve<'v>(
        &self,
        value_of: impl Fn(&str) -> Option<&'v str>,
        is_number: impl Fn(&str) -> bool,
    ) -> Result<Value, String> {
        match self {
            FindValue::Literal(value) => Ok(value.clone()),
            FindValue::Text(template) => {
                let text = template
                    .render(&value_of)
                    .map_err(|missing| missing.to_owned())?;
                let as_number = template
                    .sole_placeholder()
                    .filter(|id| is_number(id))
                    .and_then(|_| number(&text));
                Ok(as_number.unwrap_or(Value::String(text)))
            }
        }
    }
}

/// `text` as a JSON number, when it is one (`"12"`, `"-3.5"`; not `""` nor `"12 "`).
fn number(text: &str) -> Option<Value> {
    if let Ok(integer) = text.parse::<i64>() {
        return Some(Value::from(integer));
    }
    text.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
}

/// Whether `record` has every field equal to its value.
pub fn record_matches(record: &Value, fields: &[(RecordPath, Value)]) -> bool {
    fields
        .iter()
        .all(|(path, expected)| equals(path.lookup(record), expected))
}

/// MongoDB's equality of a record's field (`None`: the field is missing) and a value.
pub fn equals(field: Option<&Value>, expected: &Value) -> bool {
    match (field, expected) {
        (None | Some(Value::Null), Value::Null) => true,
        (None, _) => false,
        (Some(Value::Number(a)), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Some(a), b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Template;
    use serde_json::json;

    fn annotation(id: &str) -> Option<&'static str> {
        match id {
            "sender_vat" => Some("CZ123"),
            "vendor_match" => Some("17"),
            "empty" => Some(""),
            _ => None,
        }
    }

    fn text(template: &str) -> FindValue {
        FindValue::Text(Template::parse(template).unwrap())
    }

    #[test]
    fn a_sole_placeholder_of_a_number_datapoint_is_a_number() {
        let is_number = |id: &str| id == "vendor_match" || id == "empty";
        let resolve = |value: FindValue| value.resolve(annotation, is_number);
        assert_eq!(resolve(text("{vendor_match}")), Ok(json!(17)));
        assert_eq!(resolve(text("id-{vendor_match}")), Ok(json!("id-17")));
        assert_eq!(resolve(text("{sender_vat}")), Ok(json!("CZ123")));
        // An empty number datapoint stays "" and the query still runs.
        assert_eq!(resolve(text("{empty}")), Ok(json!("")));
        assert_eq!(resolve(FindValue::Literal(json!(true))), Ok(json!(true)));
        assert_eq!(resolve(text("{missing}")), Err("missing".to_owned()));
        let as_text = text("{vendor_match}").resolve(annotation, |_| false);
        assert_eq!(as_text, Ok(json!("17")));
    }

    #[test]
    fn equality_is_mongodbs() {
        let record = json!({"vat": "CZ123", "id": 17, "rate": 21.0, "active": true, "note": null,
                            "owner": {"email": "a@b.c"}});
        let field = |name: &str| RecordPath::field(name).unwrap();
        for (name, value, expected) in [
            ("vat", json!("CZ123"), true),
            ("vat", json!("cz123"), false),
            ("vat", json!("CZ123 "), false),
            ("id", json!(17), true),
            ("id", json!(17.0), true),
            ("id", json!("17"), false),
            ("rate", json!(21), true),
            ("active", json!(true), true),
            ("active", json!("true"), false),
            ("note", json!(null), true),
            ("absent", json!(null), true),
            ("absent", json!(""), false),
            ("owner.email", json!("a@b.c"), true),
        ] {
            assert_eq!(
                record_matches(&record, &[(field(name), value.clone())]),
                expected,
                "{name} == {value}"
            );
        }
        let both = [(field("vat"), json!("CZ123")), (field("id"), json!(18))];
        assert!(!record_matches(&record, &both), "fields are ANDed");
    }
}
