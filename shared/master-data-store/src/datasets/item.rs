//! Datasets as DynamoDB items: the keys of heads, profiles, index and fuzzy items, and the
//! records they carry.

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use dataset_store::{
    DATASETS, DatasetInfo, IndexSpec, StoredRecord, Unavailable, datasets_unavailable,
    fuzzy_field_text,
};
use dynamodb_support::{Attributes, Item, PK, SK, n, s};
use serde_json::Value;
use sha2::{Digest, Sha256};

use vendor_matching::normalize::fuzzy_block_keys;

/// The sort key of a dataset's head item.
pub const HEAD_SK: &str = "HEAD";
/// Records whose profiles share one partition (`DSREC#...#<bucket>`): enough to read a
/// dataset's profiles in few queries, few enough that writing a large import does not make
/// one partition hot.
pub const PROFILES_PER_BUCKET: u64 = 1000;
/// Digits of a position in a sort key: zero-padded so that text order is file order.
const POSITION_DIGITS: usize = 12;
/// Most positions a dataset can hold ([`POSITION_DIGITS`] digits).
pub const MAX_POSITION: u64 = 999_999_999_999;
/// DynamoDB's limit on one item.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;
/// DynamoDB's limit on a partition key value.
pub const MAX_PK_BYTES: usize = 2048;
/// Most characters in a dataset name.
pub const MAX_NAME_CHARS: usize = 100;

pub(crate) const RECORD: &str = "record";
pub(crate) const FINGERPRINT: &str = "fingerprint";
pub(crate) const INDEX_PKS: &str = "index_pks";
pub(crate) const GENERATION: &str = "generation";
pub(crate) const INDEXES: &str = "indexes";
pub(crate) const FUZZY_FIELDS: &str = "fuzzy_fields";
pub(crate) const RECORDS: &str = "records";
pub(crate) const NEXT_POSITION: &str = "next_position";
pub(crate) const KEY_FIELDS: &str = "key_fields";
/// Head attributes `unfinished_<generation>`: a replace writing that generation.
pub(crate) const UNFINISHED_PREFIX: &str = "unfinished_";
/// Head attributes `retired_<generation>`: a replaced generation waiting to be deleted.
pub(crate) const RETIRED_PREFIX: &str = "retired_";
/// In an unfinished or retired entry: the positions the generation may hold, and when (Unix
/// seconds) it was started or retired.
pub(crate) const ENTRY_POSITIONS: &str = "positions";
pub(crate) const ENTRY_AT: &str = "at";

/// A dataset name is letters, digits, `_`, `-` and `.` (so `#` never appears in one and
/// keys cannot be confused), 1 to [`MAX_NAME_CHARS`] of them.
pub fn check_dataset_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || !name.chars().all(allowed) {
        return Err(format!(
            "dataset name {name:?}: use 1 to {MAX_NAME_CHARS} letters, digits, '_', '-' or '.'"
        ));
    }
    Ok(())
}

/// `DATASET#<name>`: the head's partition key.
pub fn head_pk(name: &str) -> String {
    format!("DATASET#{name}")
}

/// `DSREC#<name>#<generation>#<bucket>`: the partition of the profiles of positions
/// `bucket * 1000 ..`.
pub fn profile_pk(name: &str, generation: &str, bucket: u64) -> String {
    format!("DSREC#{name}#{generation}#{bucket}")
}

pub fn bucket_of(position: u64) -> u64 {
    position / PROFILES_PER_BUCKET
}

/// How many profile buckets positions below `next_position` use.
pub fn buckets_below(next_position: u64) -> u64 {
    next_position.div_ceil(PROFILES_PER_BUCKET)
}

/// `DSIDX#<name>#<generation>#<length>:<index>#<key>`: the records under `key` of `index`
/// ([`IndexSpec::key_of`]). The index is length-prefixed so no index and key pair can spell
/// another's.
pub fn index_pk(name: &str, generation: &str, index: &IndexSpec, key: &str) -> String {
    let index = index.to_string();
    format!("DSIDX#{name}#{generation}#{}:{index}#{key}", index.len())
}

/// `DSFZ#<name>#<generation>#<length>:<field>#<block>`: the records with fuzzy block
/// `block` in `field`.
pub fn fuzzy_pk(name: &str, generation: &str, field: &str, block: &str) -> String {
    format!("DSFZ#{name}#{generation}#{}:{field}#{block}", field.len())
}

/// The sort key of a record's items: its position, zero-padded.
pub fn position_sk(position: u64) -> String {
    format!("{position:0POSITION_DIGITS$}")
}

/// SHA-256 of `parts`, each length-prefixed, as hex.
pub fn fingerprint_of<'p>(parts: impl IntoIterator<Item = &'p [u8]>) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hex::encode(hash.finalize())
}

/// A record ready to be written: its JSON text, fingerprint and the partition keys of the
/// index and fuzzy items it has in one generation's layout.
#[derive(Debug, Clone)]
pub struct PreparedRecord {
    pub json: String,
    pub fingerprint: String,
    pub index_pks: Vec<String>,
}

/// How a generation is indexed, for building its records' items.
#[derive(Debug, Clone)]
pub struct Layout<'a> {
    pub name: &'a str,
    pub generation: &'a str,
    pub indexes: &'a [IndexSpec],
    pub fuzzy_fields: &'a [String],
}

impl Layout<'_> {
    /// The record's items' partition keys, or why it cannot be stored: a key too long for a
    /// partition key, a record too large for an item.
    pub fn prepare(&self, record: &Value) -> Result<PreparedRecord, String> {
        let json = serde_json::to_string(record).map_err(|e| format!("not serialisable: {e}"))?;
        let mut index_pks = Vec::new();
        for index in self.indexes {
            if let Some(key) = index.key_of(record) {
                index_pks.push(index_pk(self.name, self.generation, index, &key));
            }
        }
        for field in self.fuzzy_fields {
            for block in fuzzy_block_keys(&fuzzy_field_text(record, field)) {
                let pk = fuzzy_pk(self.name, self.generation, field, &block);
                // A record whose text has a block twice has one item for it.
                if !index_pks.contains(&pk) {
                    index_pks.push(pk);
                }
            }
        }
        if let Some(long) = index_pks.iter().find(|pk| pk.len() > MAX_PK_BYTES) {
            return Err(format!(
                "an indexed value is too long: its key would be {} bytes, DynamoDB allows {MAX_PK_BYTES}",
                long.len()
            ));
        }
        // The profile is the largest item: the record plus the list of its index keys.
        let profile_bytes =
            200 + json.len() + index_pks.iter().map(|pk| pk.len() + 4).sum::<usize>();
        if profile_bytes > MAX_ITEM_BYTES {
            return Err(format!(
                "the record is too large: {} bytes of JSON with its {} index keys, DynamoDB items hold at most {MAX_ITEM_BYTES}",
                json.len(),
                index_pks.len()
            ));
        }
        let fingerprint = fingerprint_of([json.as_bytes()]);
        Ok(PreparedRecord {
            json,
            fingerprint,
            index_pks,
        })
    }
}

/// The profile item of the record at `position`.
pub fn profile_item(name: &str, generation: &str, position: u64, record: &PreparedRecord) -> Item {
    Item::from([
        (
            PK.to_owned(),
            s(profile_pk(name, generation, bucket_of(position))),
        ),
        (SK.to_owned(), s(position_sk(position))),
        (RECORD.to_owned(), s(&record.json)),
        (FINGERPRINT.to_owned(), s(&record.fingerprint)),
        (
            INDEX_PKS.to_owned(),
            AttributeValue::L(record.index_pks.iter().map(s).collect()),
        ),
    ])
}

/// The index or fuzzy item `pk` of the record at `position`.
pub fn record_item(pk: &str, position: u64, json: &str) -> Item {
    Item::from([
        (PK.to_owned(), s(pk)),
        (SK.to_owned(), s(position_sk(position))),
        (RECORD.to_owned(), s(json)),
    ])
}

/// The record an index, fuzzy or profile item carries, and its position.
pub fn stored_record(item: &Item) -> Result<StoredRecord, Unavailable> {
    let read = Attributes::of(DATASETS, item);
    let sk = read.required_text(SK)?;
    let position = sk
        .parse()
        .map_err(|_| read.error(format!("item sk {sk:?} is not a position")))?;
    let json = read.required_text(RECORD)?;
    let record: Value = serde_json::from_str(&json)
        .map_err(|e| read.error(format!("item sk {sk:?}: the record is not JSON: {e}")))?;
    Ok(StoredRecord {
        position,
        record: Arc::new(record),
    })
}

/// A generation being written or waiting to be deleted, as a head lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingGeneration {
    pub generation: String,
    /// Positions below this may have items.
    pub positions: u64,
    /// Unix seconds: when it was started (unfinished) or replaced (retired).
    pub at: u64,
}

impl PendingGeneration {
    pub fn attribute(&self) -> AttributeValue {
        AttributeValue::M(HashMap::from([
            (ENTRY_POSITIONS.to_owned(), n(self.positions)),
            (ENTRY_AT.to_owned(), n(self.at)),
        ]))
    }
}

/// A dataset's head as imports read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// `None` while the first replace is still being written.
    pub info: Option<DatasetInfo>,
    pub next_position: u64,
    /// The content fingerprint of the last replace, absent once updated by keys.
    pub fingerprint: Option<String>,
    pub unfinished: Vec<PendingGeneration>,
    pub retired: Vec<PendingGeneration>,
}

/// A head item read back. Indexes that no longer parse are an error of the store.
pub fn head_from_item(name: &str, item: &Item) -> Result<Head, Unavailable> {
    let read = Attributes::of(DATASETS, item);
    let strings = |attribute: &str| -> Result<Vec<String>, Unavailable> {
        match item.get(attribute) {
            None => Ok(Vec::new()),
            Some(AttributeValue::L(values)) => values
                .iter()
                .map(|v| {
                    v.as_s().cloned().map_err(|_| {
                        read.error(format!("head of {name:?}: {attribute} holds a non-string"))
                    })
                })
                .collect(),
            Some(_) => Err(read.error(format!("head of {name:?}: {attribute} is not a list"))),
        }
    };
    let info = match read.text(GENERATION)? {
        None => None,
        Some(generation) => Some(DatasetInfo {
            name: name.to_owned(),
            generation,
            indexes: strings(INDEXES)?
                .iter()
                .map(|text| {
                    IndexSpec::parse(text).map_err(|e| read.error(format!("head of {name:?}: {e}")))
                })
                .collect::<Result<_, _>>()?,
            fuzzy_fields: strings(FUZZY_FIELDS)?,
            records: read.required_number(RECORDS)?,
        }),
    };
    let pending = |prefix: &str| -> Result<Vec<PendingGeneration>, Unavailable> {
        let mut found = Vec::new();
        for (attribute, value) in item {
            let Some(generation) = attribute.strip_prefix(prefix) else {
                continue;
            };
            let entry = value
                .as_m()
                .map_err(|_| read.error(format!("head of {name:?}: {attribute} is not a map")))?;
            let number = |field: &str| {
                entry
                    .get(field)
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| {
                        read.error(format!("head of {name:?}: {attribute}.{field} is missing"))
                    })
            };
            found.push(PendingGeneration {
                generation: generation.to_owned(),
                positions: number(ENTRY_POSITIONS)?,
                at: number(ENTRY_AT)?,
            });
        }
        found.sort_by(|a, b| a.generation.cmp(&b.generation));
        Ok(found)
    };
    Ok(Head {
        info,
        next_position: read.number(NEXT_POSITION)?.unwrap_or(0),
        fingerprint: read.text(FINGERPRINT)?,
        unfinished: pending(UNFINISHED_PREFIX)?,
        retired: pending(RETIRED_PREFIX)?,
    })
}

/// The attributes of a head describing `info`.
pub fn info_attributes(info: &DatasetInfo) -> [(&'static str, AttributeValue); 4] {
    [
        (GENERATION, s(&info.generation)),
        (
            INDEXES,
            AttributeValue::L(info.indexes.iter().map(|i| s(i.to_string())).collect()),
        ),
        (
            FUZZY_FIELDS,
            AttributeValue::L(info.fuzzy_fields.iter().map(s).collect()),
        ),
        (RECORDS, n(info.records)),
    ]
}

pub(crate) fn unavailable(reason: impl Into<String>) -> Unavailable {
    datasets_unavailable(reason)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn layout<'a>(indexes: &'a [IndexSpec], fuzzy: &'a [String]) -> Layout<'a> {
        Layout {
            name: "products",
            generation: "g1",
            indexes,
            fuzzy_fields: fuzzy,
        }
    }

    #[test]
    fn a_record_has_one_item_per_index_key_and_fuzzy_block() {
        let indexes = [
            IndexSpec::parse("code").unwrap(),
            IndexSpec::parse("vendor.id+code").unwrap(),
        ];
        let fuzzy = ["name".to_owned()];
        let record = json!({"code": "A-1", "vendor": {"id": 7}, "name": "Steel bolt"});
        let prepared = layout(&indexes, &fuzzy).prepare(&record).unwrap();
        assert_eq!(prepared.index_pks[0], "DSIDX#products#g1#4:code#sA-1");
        assert!(prepared.index_pks[1].starts_with("DSIDX#products#g1#14:code+vendor.id#"));
        assert!(
            prepared.index_pks[2..]
                .iter()
                .all(|pk| pk.starts_with("DSFZ#products#g1#4:name#"))
        );
        assert_eq!(
            prepared.index_pks.len(),
            2 + fuzzy_block_keys("Steel bolt").len()
        );
        let item = profile_item("products", "g1", 1234, &prepared);
        assert_eq!(item[PK], s("DSREC#products#g1#1"));
        assert_eq!(item[SK], s("000000001234"));
        let back = stored_record(&item).unwrap();
        assert_eq!((back.position, &*back.record), (1234, &record));
    }

    #[test]
    fn records_too_large_or_with_keys_too_long_are_refused() {
        let indexes = [IndexSpec::parse("code").unwrap()];
        let long_key = json!({"code": "x".repeat(3000)});
        let err = layout(&indexes, &[]).prepare(&long_key).unwrap_err();
        assert!(err.contains("too long"), "{err}");
        let large = json!({"code": "A", "text": "y".repeat(MAX_ITEM_BYTES)});
        let err = layout(&indexes, &[]).prepare(&large).unwrap_err();
        assert!(err.contains("too large"), "{err}");
    }

    #[test]
    fn names_with_key_separators_are_refused() {
        assert!(check_dataset_name("purchase_orders-2.v1").is_ok());
        assert!(check_dataset_name("a#b").is_err());
        assert!(check_dataset_name("").is_err());
        assert!(check_dataset_name(&"a".repeat(101)).is_err());
    }
}
