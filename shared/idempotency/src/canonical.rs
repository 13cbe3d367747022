//! The bytes `serde_json::to_vec` gives for a JSON text read into a [`serde_json::Value`]
//! (compact, every object's keys sorted, the last of duplicate keys kept, strings and numbers
//! written as serde_json writes them), produced while reading the text, without building the
//! tree. The validation hash of a Rossum delivery is taken over these bytes; a retry whose
//! keys come in another order still matches, and the hashes stored before stay valid.
//!
//! Building the `Value` and writing it again cost about 1.7 parses of a 250 KB annotation;
//! this costs a little more than one read of it, with two allocations per object.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::keys::BorrowedText;

/// The canonical bytes of the top-level object of `body`, without the entries `skip` names,
/// and the canonical text of each top-level value, by key. `None` when `body` is not a JSON
/// object (the caller's full parse then says what is wrong).
pub(crate) fn canonical_object<'a>(
    body: &'a [u8],
    skip: &dyn Fn(&str) -> bool,
) -> Option<CanonicalObject<'a>> {
    // Read as text once checked as UTF-8: serde_json then does not check each string again.
    let text = std::str::from_utf8(body).ok()?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let mut out = Vec::with_capacity(body.len());
    let entries = deserializer
        .deserialize_map(TopLevel {
            out: &mut out,
            skip,
        })
        .ok()?;
    deserializer.end().ok()?;
    Some(CanonicalObject {
        bytes: out,
        entries,
    })
}

pub(crate) struct CanonicalObject<'a> {
    pub bytes: Vec<u8>,
    /// Each kept top-level entry, in key order.
    entries: Entries<'a>,
}

/// Object entries: each key, and where its value lies in the canonical bytes.
type Entries<'a> = Vec<(Cow<'a, str>, Range<usize>)>;

impl CanonicalObject<'_> {
    /// The top-level string `key` holds, if it holds a string.
    pub fn text(&self, key: &str) -> Option<String> {
        let at = self
            .entries
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()?;
        serde_json::from_slice(&self.bytes[self.entries[at].1.clone()]).ok()
    }
}

/// Writes one value's canonical bytes to `out`.
struct Canonical<'o> {
    out: &'o mut Vec<u8>,
}

impl<'de> DeserializeSeed<'de> for Canonical<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// serde_json writes numbers and escaped strings into a `Vec` without failing.
fn write_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    serde_json::to_writer(out, value).expect("writing JSON to a Vec cannot fail");
}

impl<'de> Visitor<'de> for Canonical<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        write_json(self.out, &v);
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        write_json(self.out, &v);
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        // As `Value` keeps it: a finite float, written the way serde_json writes one.
        write_json(self.out, &serde_json::Value::from(v));
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        // Borrowed means the text had no escapes; JSON text holds no raw control characters,
        // quotes or backslashes in a string, so serde_json would write it back unchanged.
        self.out.push(b'"');
        self.out.extend_from_slice(v.as_bytes());
        self.out.push(b'"');
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        write_json(self.out, v);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.push(b'[');
        let mut first = true;
        loop {
            let mark = self.out.len();
            if !first {
                self.out.push(b',');
            }
            if seq
                .next_element_seed(Canonical { out: self.out })?
                .is_none()
            {
                self.out.truncate(mark);
                break;
            }
            first = false;
        }
        self.out.push(b']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        write_object(self.out, map, &|_| false).map(drop)
    }
}

/// The top-level object: its entries are kept for [`CanonicalObject::text`].
struct TopLevel<'o, 's> {
    out: &'o mut Vec<u8>,
    skip: &'s dyn Fn(&str) -> bool,
}

impl<'de> Visitor<'de> for TopLevel<'_, '_> {
    type Value = Entries<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        write_object(self.out, map, self.skip)
    }
}

/// Writes an object's entries, sorted by key with the last of duplicates kept, leaving out
/// those `skip` names; returns each written entry's key and where its value lies in `out`.
fn write_object<'de, A: MapAccess<'de>>(
    out: &mut Vec<u8>,
    mut map: A,
    skip: &dyn Fn(&str) -> bool,
) -> Result<Entries<'de>, A::Error> {
    let start = out.len();
    // Each entry as read: key, and its value's place in `out`.
    let mut entries: Entries<'de> = Vec::new();
    while let Some(BorrowedText(key)) = map.next_key()? {
        if skip(&key) {
            map.next_value::<de::IgnoredAny>()?;
            continue;
        }
        let value_start = out.len();
        map.next_value_seed(Canonical { out: &mut *out })?;
        entries.push((key, value_start..out.len()));
    }
    // Stable, so that among equal keys the one read last comes last, and is kept.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0;
        if same {
            std::mem::swap(later, earlier);
        }
        same
    });
    let values = out.split_off(start);
    out.push(b'{');
    let mut placed = Vec::with_capacity(entries.len());
    for (i, (key, range)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_json(out, key.as_ref());
        out.push(b':');
        let value_start = out.len();
        out.extend_from_slice(&values[range.start - start..range.end - start]);
        placed.push((key, value_start..out.len()));
    }
    out.push(b'}');
    Ok(placed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value};

    /// What the canonical bytes must equal: the object read into a `Map` and written again.
    fn through_value(body: &str, skip: &[&str]) -> Vec<u8> {
        let mut object: Map<String, Value> = serde_json::from_str(body).unwrap();
        for key in skip {
            object.remove(*key);
        }
        serde_json::to_vec(&object).unwrap()
    }

    fn canonical(body: &str, skip: &[&str]) -> Vec<u8> {
        canonical_object(body.as_bytes(), &|k| skip.contains(&k))
            .expect("an object")
            .bytes
    }

    fn assert_same(body: &str, skip: &[&str]) {
        assert_eq!(
            String::from_utf8(canonical(body, skip)).unwrap(),
            String::from_utf8(through_value(body, skip)).unwrap(),
            "{body}"
        );
    }

    #[test]
    fn objects_are_sorted_at_every_depth_and_the_last_duplicate_wins() {
        assert_same(
            r#"{"b": 1, "a": {"z": [3, {"y": 1, "x": 2}], "c": null}}"#,
            &[],
        );
        assert_same(r#"{"a": 1, "b": 2, "a": 3}"#, &[]);
        assert_same(
            r#"{"a": {"k": 1, "k": {"j": 2, "i": 1}, "a": 0}, "a": {"m": 1}}"#,
            &[],
        );
        assert_same(r#"{"": 1, "é": 2, "e": 3, "E": 4, "ee": 5}"#, &[]);
        assert_same(r#"{"k": [], "j": {}, "i": [[]], "h": [{}]}"#, &[]);
    }

    #[test]
    fn strings_numbers_and_escapes_are_written_as_serde_json_writes_them() {
        assert_same(
            r#"{"s": "plain", "e": "tab\there \"q\" \\ \/ \u00e9 \ud83d\ude00 \u0001 \u001f",
                "\u0061\n": "escaped key", "u": "ü€😀"}"#,
            &[],
        );
        assert_same(
            r#"{"n": [0, -0, 1, -1, 18446744073709551615, -9223372036854775808,
                1.0, -0.0, 1.5e3, 1E-7, 2.5e+300, 123456789012345678901234567890, 0.1]}"#,
            &[],
        );
        assert_same(r#"{"t": true, "f": false, "z": null}"#, &[]);
    }

    #[test]
    fn skipped_keys_are_left_out_and_whitespace_is_not_kept() {
        assert_same(
            "{ \"timestamp\" : \"x\" ,\n \"a\" : [ 1 , 2 ] , \"token\": {\"deep\": 1} }",
            &["timestamp", "token"],
        );
    }

    #[test]
    fn the_published_samples_give_the_same_bytes() {
        let payloads = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/payloads");
        let mut read = 0;
        for entry in std::fs::read_dir(payloads).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".expect.json") || !name.ends_with(".json") {
                continue;
            }
            let body = std::fs::read_to_string(&path).unwrap();
            assert_same(&body, &["rossum_authorization_token", "timestamp"]);
            read += 1;
        }
        assert!(read >= 10, "only {read} samples read");
    }

    #[test]
    fn what_is_not_one_json_object_is_refused() {
        for body in [
            "[1]",
            "\"text\"",
            "{\"a\": 1} x",
            "{\"a\": }",
            "",
            "{\"a\": \"\u{1}\"}",
        ] {
            assert!(
                canonical_object(body.as_bytes(), &|_| false).is_none(),
                "{body:?}"
            );
        }
        // Not UTF-8: the full parse says where.
        assert!(canonical_object(b"{\"a\": \"caf\xe9\"}", &|_| false).is_none());
    }

    #[test]
    fn top_level_texts_are_read_from_the_kept_entries() {
        let object = canonical_object(
            br#"{"request_id": "r\u002d1", "event": "x", "n": 5, "timestamp": "t"}"#,
            &|k| k == "timestamp",
        )
        .unwrap();
        assert_eq!(object.text("request_id").as_deref(), Some("r-1"));
        assert_eq!(object.text("event").as_deref(), Some("x"));
        assert_eq!(object.text("n"), None);
        assert_eq!(object.text("timestamp"), None);
        assert_eq!(object.text("missing"), None);
    }
}
