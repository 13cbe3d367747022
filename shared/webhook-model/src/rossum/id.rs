//! Datapoint ids as Rossum's samples write them: numbers (`190000`) or integer-valued strings
//! (`"190000"`, as in Rossum's own sample repositories); anything else is refused.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};

struct IdVisitor;

impl<'de> Visitor<'de> for IdVisitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a datapoint id: a non-negative integer, or a string holding one")
    }

    fn visit_u64<E: de::Error>(self, id: u64) -> Result<u64, E> {
        Ok(id)
    }

    fn visit_i64<E: de::Error>(self, id: i64) -> Result<u64, E> {
        u64::try_from(id).map_err(|_| E::invalid_value(de::Unexpected::Signed(id), &self))
    }

    fn visit_str<E: de::Error>(self, id: &str) -> Result<u64, E> {
        // Digits only: `u64::from_str` would also take a leading `+`.
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(E::invalid_value(de::Unexpected::Str(id), &self));
        }
        id.parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(id), &self))
    }
}

/// One id (`"id": 190000` or `"id": "190000"`).
pub(crate) fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    deserializer.deserialize_any(IdVisitor)
}

/// An optional id: absent or `null` is `None`.
pub(crate) fn optional_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    struct OptionalId;
    impl<'de> Visitor<'de> for OptionalId {
        type Value = Option<u64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a datapoint id or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            id(d).map(Some)
        }
    }
    deserializer.deserialize_option(OptionalId)
}

/// A list of ids (`updated_datapoints`), each a number or an integer-valued string.
pub(crate) fn ids<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u64>, D::Error> {
    struct Ids;
    impl<'de> Visitor<'de> for Ids {
        type Value = Vec<u64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of datapoint ids")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            struct One(u64);
            impl<'de> serde::Deserialize<'de> for One {
                fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    id(d).map(One)
                }
            }
            let mut ids = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(One(id)) = seq.next_element()? {
                ids.push(id);
            }
            Ok(ids)
        }
    }
    deserializer.deserialize_seq(Ids)
}
