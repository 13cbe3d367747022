//! The fields of a content node that no rule reads (`url`, `position`, `rir_text`, ...), kept as
//! the JSON text they were sent as, so that a node serialises back to what Rossum sent without
//! ever building a tree of them: skipping and copying a value is several times cheaper than
//! parsing it into a [`serde_json::Value`], and these fields are most of a content tree's bytes.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Unmodelled fields of one JSON object, sorted by key (as a [`serde_json::Map`] sorts them),
/// each key once: the last value sent wins, as in a map.
#[derive(Clone, Default)]
pub struct Unmodelled(Vec<(String, Box<RawValue>)>);

impl Unmodelled {
    /// The raw JSON text of `key`'s value.
    pub fn get(&self, key: &str) -> Option<&RawValue> {
        let at = self.0.binary_search_by(|(k, _)| k.as_str().cmp(key)).ok()?;
        Some(&self.0[at].1)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Keys and raw values, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &RawValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), &**v))
    }

    /// Collects fields as they are read; [`Self::finish`] orders them.
    pub(crate) fn push(&mut self, key: String, value: Box<RawValue>) {
        self.0.push((key, value));
    }

    /// Sorted by key, the last of repeated keys kept (a stable sort keeps them in the order
    /// sent, so the last of each run is the last sent).
    pub(crate) fn finish(mut self) -> Self {
        if self.0.len() > 1 {
            self.0.sort_by(|(a, _), (b, _)| a.cmp(b));
            let mut kept: Vec<(String, Box<RawValue>)> = Vec::with_capacity(self.0.len());
            for (key, value) in self.0 {
                match kept.last_mut() {
                    Some(last) if last.0 == key => last.1 = value,
                    _ => kept.push((key, value)),
                }
            }
            self.0 = kept;
        }
        self
    }
}

impl PartialEq for Unmodelled {
    /// The same keys with the same JSON text.
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|((ka, va), (kb, vb))| ka == kb && va.get() == vb.get())
    }
}

impl fmt::Debug for Unmodelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, v.get())))
            .finish()
    }
}

impl Serialize for Unmodelled {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// An object key, borrowed from the input where the deserializer can lend it, so that known
/// keys are matched without an allocation.
pub(crate) struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
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
