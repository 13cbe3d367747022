//! The fields of a content node that no rule reads (`url`, `position`, `rir_text`, ...), kept as
//! the JSON text they were sent as, so that a node serialises back to what Rossum sent without
//! ever building a tree of them: skipping and copying a value is several times cheaper than
//! parsing it into a [`serde_json::Value`], and these fields are most of a content tree's bytes.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::{self, SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// One value's raw JSON text: borrowed from the input where serde_json can lend it (a slice or
/// a `str`), owned otherwise (a reader, a `Value`).
pub(crate) struct RawText<'de>(Cow<'de, str>);

/// The name serde_json answers a raw value's text for, as a map of one entry whose value is
/// the text; what `serde_json::value::RawValue` asks for. Asking for it directly lets the
/// text be borrowed where a `Box<RawValue>` would copy it into an allocation of its own.
const SERDE_JSON_RAW_VALUE: &str = "$serde_json::private::RawValue";

impl<'de> Deserialize<'de> for RawText<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entry;
        impl<'de> Visitor<'de> for Entry {
            type Value = RawText<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                map.next_key::<de::IgnoredAny>()?
                    .ok_or_else(|| de::Error::custom("a raw value without its text"))?;
                let Key(text) = map.next_value()?;
                Ok(RawText(text))
            }
        }
        deserializer.deserialize_newtype_struct(SERDE_JSON_RAW_VALUE, Entry)
    }
}

/// Unmodelled fields of one JSON object, sorted by key (as a [`serde_json::Map`] sorts them),
/// each key once: the last value sent wins, as in a map.
///
/// Every key and value sits in one text buffer, so that the fields a node keeps cost one
/// growing allocation rather than two per field: a content tree has about ten such fields per
/// datapoint, and freeing them was most of the cost of dropping one. Each value's text is
/// borrowed from the input while it is copied there ([`RawText`]).
#[derive(Clone, Default)]
pub struct Unmodelled {
    /// Each field's key, then its raw JSON value, back to back in the order sent.
    text: String,
    /// Where each field lies in `text`, in key order once read.
    fields: Vec<Field>,
}

/// What the first unmodelled field of an object reserves.
const FIRST_TEXT_CAPACITY: usize = 256;
const FIRST_FIELDS_CAPACITY: usize = 8;

#[derive(Clone, Copy)]
struct Field {
    start: usize,
    key_end: usize,
    end: usize,
}

impl Unmodelled {
    /// The raw JSON text of `key`'s value.
    pub fn get(&self, key: &str) -> Option<&str> {
        let at = self
            .fields
            .binary_search_by(|field| self.key(field).cmp(key))
            .ok()?;
        Some(self.value(&self.fields[at]))
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Keys and raw JSON values, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields
            .iter()
            .map(|field| (self.key(field), self.value(field)))
    }

    fn key(&self, field: &Field) -> &str {
        &self.text[field.start..field.key_end]
    }

    fn value(&self, field: &Field) -> &str {
        &self.text[field.key_end..field.end]
    }

    /// Collects fields as they are read; [`Self::finish`] orders them.
    pub(crate) fn push(&mut self, key: &str, value: &RawText) {
        if self.fields.is_empty() {
            // Room for a datapoint's usual fields (url, position, rir_text, ...) at once,
            // rather than growing through every power of two.
            self.text.reserve(FIRST_TEXT_CAPACITY);
            self.fields.reserve(FIRST_FIELDS_CAPACITY);
        }
        let start = self.text.len();
        self.text.push_str(key);
        let key_end = self.text.len();
        self.text.push_str(&value.0);
        self.fields.push(Field {
            start,
            key_end,
            end: self.text.len(),
        });
    }

    /// Sorted by key, the last of repeated keys kept (a stable sort keeps them in the order
    /// sent, so the last of each run is the last sent).
    pub(crate) fn finish(mut self) -> Self {
        if self.fields.len() > 1 {
            // `self.key` would borrow all of `self` while `fields` is being sorted.
            let text = &self.text;
            let key = |field: &Field| &text[field.start..field.key_end];
            self.fields.sort_by(|a, b| key(a).cmp(key(b)));
            // In place: of each run of equal keys the last is moved into the first's slot.
            self.fields.dedup_by(|later, earlier| {
                let same = key(later) == key(earlier);
                if same {
                    *earlier = *later;
                }
                same
            });
        }
        self
    }
}

impl PartialEq for Unmodelled {
    /// The same keys with the same JSON text.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for Unmodelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Unmodelled {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, text) in self.iter() {
            // The text was read as one JSON value; lending it as a `RawValue` writes it as is.
            let raw: &RawValue = serde_json::from_str(text).map_err(ser::Error::custom)?;
            map.serialize_entry(key, raw)?;
        }
        map.end()
    }
}

/// A JSON string, borrowed from the input where the deserializer can lend it: an object key,
/// so that known keys are matched without an allocation, or the text of a [`RawText`].
pub(crate) struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_owned())))
            }
            fn visit_string<E: de::Error>(self, key: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Fills a field's slot once; a second occurrence is refused, as derived structs refuse it.
pub(crate) fn set_once<T, E: de::Error>(
    slot: &mut Option<T>,
    name: &'static str,
    read: impl FnOnce() -> Result<T, E>,
) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(read()?);
    Ok(())
}
