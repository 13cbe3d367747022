//! Named master-data datasets, as Rossum's Master Data Hub keeps them: records as imported
//! (nested objects kept), in file order, looked up by the fields a user indexed at import.
//!
//! - [`IndexSpec`] and [`index_key`]: which fields (one or several, dotted paths allowed) a
//!   dataset is indexed by, and the typed key a record or a query value has under it
//!   (`"42"` and `42` are different keys, as they are different values in MongoDB).
//! - [`DatasetStore`]: what matching needs: which datasets exist and how they are indexed,
//!   the records under a batch of index keys, and fuzzy candidates by name blocks. Lookups
//!   never scan: a query must name an indexed field.
//! - [`InMemoryDatasetStore`]: the local server's and the tests' store; the DynamoDB one
//!   lives with the master-data table.
//! - [`ObservedDatasetStore`]: any store, with each call reported first.

mod file;
mod key;
mod memory;
mod observed;
mod store;

pub use file::{
    DatasetFormat, MAX_FILE_BYTES, MAX_RECORD_BYTES, ReadDataset, RejectedRow, read_dataset,
    read_dataset_file,
};
pub use key::{IndexSpec, KEY_SEPARATOR, fuzzy_field_text, index_key, read_field, scalar_key};
pub use memory::{Dataset, InMemoryDatasetStore};
pub use observed::{DatasetCall, DatasetObserver, ObservedDatasetStore};
pub use store::{
    DATASETS, DEFAULT_FUZZY_BLOCK_LIMIT, DatasetInfo, DatasetStore, StoredRecord,
    UnavailableDatasetStore, datasets_unavailable,
};
pub use unavailable::{StoreFuture, Unavailable};
