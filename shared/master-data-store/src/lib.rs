//! The vendor master-data table on DynamoDB: vendor master data, looked up by matching and kept current by imports.
//!
//! # Table design
//!
//! One table per environment, billed on demand, with a generic key: `pk` (string, partition
//! key) and `sk` (string, sort key). It holds two kinds of items:
//!
//! | item    | `pk`                                                       | `sk`                 | other attributes |
//! |---------|------------------------------------------------------------|----------------------|------------------|
//! | profile | `VENDOR#<vendor_id>`                                       | `PROFILE`            | the vendor, `fingerprint`, `index_keys` |
//! | index   | `VAT#<vat key>`, `IBAN#<iban>`, `NAME#<name key>`, `BLOCK#<prefix>` | `VENDOR#<vendor_id>` | the vendor |
//!
//! - **The vendor** is stored as top-level string attributes `vendor_id`, `name`, `vat_id`,
//!   `iban`, `street`, `city`, `postal_code`, `country` (absent when empty) and `attributes`,
//!   a map of strings holding the file's other columns.
//! - **Index items** are one per key of [`vendor_matching::index_keys`]: the normalised VAT id
//!   (country prefix, spaces and dots removed: `VAT#853122947B01`), the IBAN in electronic
//!   form, the folded name (`NAME#northwindconsultingbv`), and one `BLOCK#` item per
//!   significant word of the name (its first four letters: `BLOCK#nort`, `BLOCK#cons`) for
//!   fuzzy search. Each carries the whole vendor, denormalised, so a lookup is one `Query`
//!   on `pk = <key>` and needs no second read. Vendors sharing a key (branches with one VAT
//!   id) are items of the same partition, told apart by `sk`.
//! - **Profile items** are the vendor's record of what was written: `fingerprint`
//!   ([`Vendor::fingerprint`] of every field) lets a re-import skip unchanged vendors
//!   without comparing fields, and `index_keys` (a list) says which index items exist, so an
//!   update deletes exactly those whose key the vendor no longer has.
//!
//! A vendor whose name has three significant words is 7 items (profile, VAT, IBAN, NAME and
//! three BLOCK). Items per key rather than global secondary indexes because a vendor has
//! several keys of one kind (its name blocks), which an index on an attribute cannot express,
//! and because it keeps each lookup a single `Query` of one partition.
//!
//! ## Lookups ([`DynamoVendorStore`])
//!
//! - VAT id, IBAN, exact name: one `Query` of `pk = <key>` (paginated), every candidate
//!   scores 1.0, ordered by `vendor_id`.
//! - Fuzzy name: one `Query` per block key of the searched name, run concurrently, each
//!   reading at most [`DEFAULT_BLOCK_ITEM_LIMIT`] items (1000) so a very common word cannot
//!   make a lookup read a large part of the table; candidates are deduplicated by
//!   `vendor_id` and ranked by trigram similarity ([`vendor_matching::rank_fuzzy_candidates`]).
//!   A vendor whose every name block is larger than the limit may therefore be missed by
//!   the fuzzy lookup (its exact-key lookups are unaffected).
//!
//! ## Imports ([`import_vendors`])
//!
//! Vendors are processed 100 at a time: one `BatchGetItem` reads their profiles, then each
//! vendor is *inserted* (no profile), *unchanged* (same fingerprint: nothing is written) or
//! *updated* (all its index items are rewritten, the index items of keys it no longer has
//! are deleted, and its profile is rewritten). Writes go out as `BatchWriteItem` requests of
//! 25, a few at a time, with unprocessed items retried under exponential backoff. A vendor's
//! index items are written before its profile, so a profile with the new fingerprint exists
//! only once the index is complete: an interrupted import redoes that vendor next time.
//! Vendors missing from an import are left in the table.
//!
//! # Datasets
//!
//! The same table holds master-data datasets (purchase orders, products...): see
//! [`datasets`] for their items, lookups and imports.

pub mod datasets;
mod from_env;
mod import;
mod item;
mod store;
mod table;

pub use datasets::{
    DatasetImport, DatasetImportMode, DatasetImportSummary, DynamoDatasetStore, RejectedRecord,
    delete_dataset, import_dataset,
};
pub use from_env::{VENDOR_TABLE_ENV, dataset_store_from_env, vendor_store_from_env};
pub use import::{ImportSummary, import_vendors};
pub use item::{
    PROFILE_SK, index_item, profile_item, vendor_from_item, vendor_pk, vendor_to_attributes,
};
pub use store::{DEFAULT_BLOCK_ITEM_LIMIT, DynamoVendorStore};
pub use table::create_master_data_table;
pub use vendor_matching::Vendor;
