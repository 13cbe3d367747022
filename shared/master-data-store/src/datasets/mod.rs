//! Master-data datasets ([`dataset_store`]) in the master-data table, beside the vendors.
//!
//! # Items
//!
//! Every key is a string of the table's `pk` + `sk`; `<name>` is the dataset's name (letters,
//! digits, `_`, `-`, `.`: never `#`), `<gen>` a generation (a new one per full replace),
//! `<pos>` a record's position in the file, zero-padded to 12 digits so that a partition's
//! sort-key order is file order.
//!
//! | item    | `pk`                                              | `sk`    | other attributes |
//! |---------|---------------------------------------------------|---------|------------------|
//! | head    | `DATASET#<name>`                                  | `HEAD`  | `generation`, `indexes`, `fuzzy_fields`, `records`, `next_position`, `fingerprint`, `key_fields`, `unfinished_<gen>`, `retired_<gen>` |
//! | profile | `DSREC#<name>#<gen>#<pos / 1000>`                 | `<pos>` | `record`, `fingerprint`, `index_pks` |
//! | index   | `DSIDX#<name>#<gen>#<len>:<index>#<key>`          | `<pos>` | `record` |
//! | fuzzy   | `DSFZ#<name>#<gen>#<len>:<field>#<block>`         | `<pos>` | `record` |
//!
//! - **The head** says which generation lookups read and how it is indexed (`indexes` as
//!   written at import, `a+b` for a compound; `fuzzy_fields`), how many `records` it holds,
//!   `next_position` (every position of the generation is below it), the content
//!   `fingerprint` of the last replace (removed by an update by keys) and the `key_fields`
//!   of the last by-keys import. `unfinished_<gen>` lists a generation a replace is writing,
//!   `retired_<gen>` one it replaced, each with its extent and time, so an interrupted
//!   import's leftovers are deleted by the next.
//! - **The record** is stored as its JSON text (attribute `record`), so types (`"42"` and
//!   `42`) and nesting read back exactly. A record too large for an item (400 KB with its
//!   keys), or with an indexed value too long for a partition key (2 KB), is rejected.
//! - **Index items**: one per index ([`dataset_store::IndexSpec`]) the record has a key under
//!   ([`dataset_store::IndexSpec::key_of`]: typed, `s42` is not `n42`), carrying the whole
//!   record: a `find` of one key is one `Query` of one partition, in file order, with no
//!   second read. The index is length-prefixed so that no index and key spell another pair.
//! - **Fuzzy items**: one per fuzzy block ([`vendor_matching::normalize::fuzzy_block_keys`])
//!   of each fuzzy field's text, carrying the record.
//! - **Profiles**: what was written for a record: its `fingerprint` (SHA-256 of the JSON),
//!   the keys of its index and fuzzy items (`index_pks`), and the record. Profiles are
//!   grouped 1000 to a partition, so that one import does not write one hot partition and
//!   the by-keys imports read a dataset in few queries.
//!
//! ## Lookups ([`DynamoDatasetStore`])
//!
//! - `describe`: the heads of every asked name in one `BatchGetItem` (100 a request), kept
//!   by the store for [`DEFAULT_HEAD_CACHE_TTL`] (5 s, per Lambda container), so a replace is
//!   seen at most that much later.
//! - `find`: one `Query` (all pages) per distinct key of the asked generation, all in flight at
//!   once up to [`LOOKUP_QUERIES_IN_FLIGHT`] (128): the distinct keys of a 100-row invoice cost
//!   one round trip of parallel Queries, not 100 sequential ones.
//! - `fuzzy_candidates`: one `Query` per block of each value, reading at most
//!   [`dataset_store::DEFAULT_FUZZY_BLOCK_LIMIT`] items of it, candidates once each in file
//!   order.
//!
//! A delivery reads the generation it described throughout: a replace writes a new one
//! beside it and deletes the old only after a grace period.
//!
//! ## Imports ([`import_dataset`])
//!
//! - **Replace**: the new generation is listed in the head as unfinished, written completely
//!   (profiles first: they say what a clean-up deletes), then the head switches to it in one
//!   conditional `UpdateItem` (the generation it replaces must still be current): readers see
//!   the old dataset or the new one, never a mix. After [`DatasetImport::grace_period`] the old
//!   generation is deleted. A file whose content fingerprint (layout and every record) is the
//!   head's writes nothing.
//! - **Update, replace, delete by keys** change the current generation in place: its profiles
//!   are read (consistent queries of its buckets), the file's records matched by their key
//!   under the `--key` fields, and only records whose fingerprint differs are rewritten (index
//!   items first, then the profile; items of keys a record no longer has deleted). New records
//!   take positions after the last (claimed in the head before they are written); replacing by
//!   keys also deletes the records whose key is not in the file.
//!
//! One import of a dataset at a time: two replaces at once make the later switch fail
//! rather than mix generations.

mod import;
mod item;
mod lookup;

pub use import::{
    DEFAULT_GRACE_PERIOD, DatasetImport, DatasetImportMode, DatasetImportSummary, RejectedRecord,
    delete_dataset, import_dataset,
};
pub use item::{MAX_ITEM_BYTES, MAX_PK_BYTES, check_dataset_name};
pub use lookup::{
    DEFAULT_HEAD_CACHE_TTL, DynamoDatasetStore, LOOKUP_QUERIES_IN_FLIGHT, QUERIES_IN_FLIGHT,
};
