//! One spelling per JSON value, so that equal content hashes equally.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// `value` as compact JSON with every object's keys in sorted (byte) order.
///
/// The order is imposed here rather than left to `serde_json`'s map, whose order depends on
/// a crate feature (`preserve_order`) that any crate of the build could turn on. Strings and
/// numbers are written as `serde_json` writes them; parsing the result gives `value` back.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(fields) => {
            let mut keys: Vec<&String> = fields.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&scalar(&Value::String(key.clone())));
                out.push(':');
                write_canonical(&fields[key.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&scalar(other)),
    }
}

fn scalar(value: &Value) -> String {
    serde_json::to_string(value).expect("JSON scalars serialise infallibly")
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_depth_and_nothing_is_lost() {
        let value: Value = serde_json::from_str(
            r#"{"b": {"z": 1, "a": [ {"y": null, "x": "é\n\"q\""} ]}, "a": 1.5, "A": -3, "c": true}"#,
        )
        .unwrap();
        let canonical = canonical_json(&value);
        assert_eq!(
            canonical,
            r#"{"A":-3,"a":1.5,"b":{"a":[{"x":"é\n\"q\"","y":null}],"z":1},"c":true}"#
        );
        let back: Value = serde_json::from_str(&canonical).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn equal_values_hash_equally() {
        let a = json!({"id": "x", "n": [1, 2]});
        let b: Value = serde_json::from_str("{ \"n\" : [1,2], \"id\" : \"x\" }").unwrap();
        assert_eq!(
            sha256_hex(canonical_json(&a).as_bytes()),
            sha256_hex(canonical_json(&b).as_bytes())
        );
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
