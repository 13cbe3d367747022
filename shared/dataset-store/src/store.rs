//! What matching needs from a dataset store.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use unavailable::{StoreFuture, Unavailable};

use crate::IndexSpec;

/// The dependency name in [`Unavailable`] errors.
pub const DATASETS: &str = "datasets";

/// How many records a fuzzy lookup reads per name block of the searched value, at most: a
/// block of a very common word ("services") can hold a large share of a dataset, and reading
/// it whole would make one lookup cost a scan. A record whose every block is larger than
/// this may be missed by fuzzy matching (equality lookups are unaffected).
pub const DEFAULT_FUZZY_BLOCK_LIMIT: usize = 1000;

pub fn datasets_unavailable(reason: impl Into<String>) -> Unavailable {
    Unavailable::new(DATASETS, reason)
}

/// A dataset as lookups see it: one generation of it (a full replace makes a new one, so a
/// delivery that described a dataset reads that generation throughout), and what it is
/// indexed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetInfo {
    pub name: String,
    /// Opaque; changes on every full replace.
    pub generation: String,
    /// The equality indexes, from the import's `--index` flags.
    pub indexes: Vec<IndexSpec>,
    /// The fields indexed for fuzzy lookups (`--fuzzy-index`).
    pub fuzzy_fields: Vec<String>,
    /// How many records the generation holds.
    pub records: u64,
}

impl DatasetInfo {
    /// The index a query over `fields` uses: the one covering most of them (the others
    /// filter its candidates), or `None` when no index is made of queried fields only.
    pub fn index_for(&self, fields: &[&str]) -> Option<&IndexSpec> {
        self.indexes
            .iter()
            .filter(|index| index.covered_by(|f| fields.contains(&f)))
            .max_by_key(|index| index.fields().len())
    }

    pub fn has_fuzzy(&self, field: &str) -> bool {
        self.fuzzy_fields.iter().any(|f| f == field)
    }
}

/// One record and its place in the dataset (file order, which `find` results keep).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub position: u64,
    pub record: Arc<Value>,
}

/// Named datasets and their lookups. Every lookup is by index: nothing here scans.
pub trait DatasetStore: Send + Sync {
    /// The datasets among `names` that exist, by name (an unknown name is simply absent).
    fn describe<'a>(&'a self, names: &'a [String])
    -> StoreFuture<'a, HashMap<String, DatasetInfo>>;

    /// For each of `keys` (in order), the records whose key under `index` ([`IndexSpec::key_of`])
    /// equals it, in dataset order.
    fn find<'a>(
        &'a self,
        dataset: &'a DatasetInfo,
        index: &'a IndexSpec,
        keys: &'a [String],
    ) -> StoreFuture<'a, Vec<Vec<StoredRecord>>>;

    /// For each of `values` (in order), the records sharing a fuzzy block of `field` with it
    /// (at most [`DEFAULT_FUZZY_BLOCK_LIMIT`] per block), each once, in dataset order and not
    /// yet ranked.
    fn fuzzy_candidates<'a>(
        &'a self,
        dataset: &'a DatasetInfo,
        field: &'a str,
        values: &'a [String],
    ) -> StoreFuture<'a, Vec<Vec<StoredRecord>>>;
}

/// A store that cannot be used (its table is not configured): every lookup is [`Unavailable`]
/// with the reason, so matching answers "unavailable", never "no match".
#[derive(Debug, Clone)]
pub struct UnavailableDatasetStore {
    reason: String,
}

impl UnavailableDatasetStore {
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }

    fn fail<'a, T: Send + 'a>(&self) -> StoreFuture<'a, T> {
        let error = datasets_unavailable(self.reason.clone());
        Box::pin(async move { Err(error) })
    }
}

impl DatasetStore for UnavailableDatasetStore {
    fn describe<'a>(&'a self, _: &'a [String]) -> StoreFuture<'a, HashMap<String, DatasetInfo>> {
        self.fail()
    }

    fn find<'a>(
        &'a self,
        _: &'a DatasetInfo,
        _: &'a IndexSpec,
        _: &'a [String],
    ) -> StoreFuture<'a, Vec<Vec<StoredRecord>>> {
        self.fail()
    }

    fn fuzzy_candidates<'a>(
        &'a self,
        _: &'a DatasetInfo,
        _: &'a str,
        _: &'a [String],
    ) -> StoreFuture<'a, Vec<Vec<StoredRecord>>> {
        self.fail()
    }
}
