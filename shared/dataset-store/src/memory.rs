//! Datasets held in memory: the local server's store (loaded from files) and the tests'.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use serde_json::Value;
use unavailable::StoreFuture;
use vendor_matching::normalize::fuzzy_block_keys;

use crate::store::{DEFAULT_FUZZY_BLOCK_LIMIT, DatasetInfo, DatasetStore, StoredRecord};
use crate::{IndexSpec, fuzzy_field_text};

/// One dataset with its indexes built.
#[derive(Debug)]
pub struct Dataset {
    info: DatasetInfo,
    records: Vec<Arc<Value>>,
    /// index -> key -> record positions, in dataset order.
    indexes: HashMap<IndexSpec, HashMap<String, Vec<u32>>>,
    /// field -> block -> record positions, in dataset order.
    fuzzy: HashMap<String, HashMap<String, Vec<u32>>>,
}

impl Dataset {
    /// Indexes `records` (in their order) by `indexes` and `fuzzy_fields`. A record missing
    /// an indexed field, or holding a list or an object there, is not under that index.
    pub fn new(
        name: impl Into<String>,
        records: Vec<Value>,
        indexes: Vec<IndexSpec>,
        fuzzy_fields: Vec<String>,
    ) -> Self {
        let records: Vec<Arc<Value>> = records.into_iter().map(Arc::new).collect();
        let mut by_index: HashMap<IndexSpec, HashMap<String, Vec<u32>>> = HashMap::new();
        for index in &indexes {
            let keys = by_index.entry(index.clone()).or_default();
            for (position, record) in (0u32..).zip(&records) {
                if let Some(key) = index.key_of(record) {
                    keys.entry(key).or_default().push(position);
                }
            }
        }
        let mut by_block: HashMap<String, HashMap<String, Vec<u32>>> = HashMap::new();
        for field in &fuzzy_fields {
            let blocks = by_block.entry(field.clone()).or_default();
            for (position, record) in (0u32..).zip(&records) {
                for block in fuzzy_block_keys(&fuzzy_field_text(record, field)) {
                    blocks.entry(block).or_default().push(position);
                }
            }
        }
        let name = name.into();
        Self {
            info: DatasetInfo {
                generation: format!("memory-{}", records.len()),
                name,
                indexes,
                fuzzy_fields,
                records: records.len() as u64,
            },
            records,
            indexes: by_index,
            fuzzy: by_block,
        }
    }

    pub fn info(&self) -> &DatasetInfo {
        &self.info
    }

    fn stored(&self, positions: &[u32]) -> Vec<StoredRecord> {
        positions
            .iter()
            .map(|&p| StoredRecord {
                position: u64::from(p),
                record: Arc::clone(&self.records[p as usize]),
            })
            .collect()
    }

    fn find(&self, index: &IndexSpec, key: &str) -> Vec<StoredRecord> {
        let positions = self.indexes.get(index).and_then(|keys| keys.get(key));
        self.stored(positions.map_or(&[], Vec::as_slice))
    }

    fn fuzzy_candidates(&self, field: &str, value: &str) -> Vec<StoredRecord> {
        let Some(blocks) = self.fuzzy.get(field) else {
            return Vec::new();
        };
        let positions: BTreeSet<u32> = fuzzy_block_keys(value)
            .iter()
            .filter_map(|block| blocks.get(block))
            .flat_map(|positions| positions.iter().take(DEFAULT_FUZZY_BLOCK_LIMIT).copied())
            .collect();
        self.stored(&positions.into_iter().collect::<Vec<_>>())
    }
}

/// Datasets in memory, replaced whole ([`InMemoryDatasetStore::insert`]): a reader sees the
/// old dataset or the new one, never a mix.
#[derive(Debug, Default)]
pub struct InMemoryDatasetStore {
    datasets: RwLock<HashMap<String, Arc<Dataset>>>,
}

impl InMemoryDatasetStore {
    pub fn new(datasets: impl IntoIterator<Item = Dataset>) -> Self {
        let store = Self::default();
        for dataset in datasets {
            store.insert(dataset);
        }
        store
    }

    /// Adds the dataset, replacing one of the same name.
    pub fn insert(&self, dataset: Dataset) {
        self.datasets
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(dataset.info.name.clone(), Arc::new(dataset));
    }

    pub fn get(&self, name: &str) -> Option<Arc<Dataset>> {
        self.datasets
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(name)
            .cloned()
    }

    /// Every dataset's description, by name.
    pub fn infos(&self) -> Vec<DatasetInfo> {
        let datasets = self
            .datasets
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut infos: Vec<DatasetInfo> = datasets.values().map(|d| d.info.clone()).collect();
        infos.sort_by(|a, b| a.name.cmp(&b.name));
        infos
    }
}

impl DatasetStore for InMemoryDatasetStore {
    fn describe<'a>(
        &'a self,
        names: &'a [String],
    ) -> StoreFuture<'a, HashMap<String, DatasetInfo>> {
        let found = names
            .iter()
            .filter_map(|name| Some((name.clone(), self.get(name)?.info.clone())))
            .collect();
        Box::pin(async move { Ok(found) })
    }

    fn find<'a>(
        &'a self,
        dataset: &'a DatasetInfo,
        index: &'a IndexSpec,
        keys: &'a [String],
    ) -> StoreFuture<'a, Vec<Vec<StoredRecord>>> {
        let current = self.get(&dataset.name);
        let found = keys
            .iter()
            .map(|key| {
                current
                    .as_ref()
                    .map_or_else(Vec::new, |d| d.find(index, key))
            })
            .collect();
        Box::pin(async move { Ok(found) })
    }

    fn fuzzy_candidates<'a>(
        &'a self,
        dataset: &'a DatasetInfo,
        field: &'a str,
        values: &'a [String],
    ) -> StoreFuture<'a, Vec<Vec<StoredRecord>>> {
        let current = self.get(&dataset.name);
        let found = values
            .iter()
            .map(|value| {
                current
                    .as_ref()
                    .map_or_else(Vec::new, |d| d.fuzzy_candidates(field, value))
            })
            .collect();
        Box::pin(async move { Ok(found) })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn products() -> InMemoryDatasetStore {
        InMemoryDatasetStore::new([Dataset::new(
            "products",
            vec![
                json!({"code": "A-1", "name": "Steel bolt M8", "price": 1}),
                json!({"code": "B-2", "name": "Steel nut M8", "price": 2}),
                json!({"code": "A-1", "name": "Steel bolt M8 (old)", "price": 3}),
                json!({"code": ["list"], "name": "Not indexable"}),
            ],
            vec![IndexSpec::parse("code").unwrap()],
            vec!["name".to_owned()],
        )])
    }

    #[tokio::test]
    async fn finds_every_record_of_a_key_in_file_order_and_knows_unknown_datasets() {
        let store = products();
        let names = ["products".to_owned(), "nope".to_owned()];
        let infos = store.describe(&names).await.unwrap();
        assert_eq!(infos.len(), 1);
        let info = &infos["products"];
        assert_eq!(info.records, 4);
        let index = info.index_for(&["code", "name"]).unwrap().clone();
        let keys = [
            crate::scalar_key(&json!("A-1")).unwrap(),
            crate::scalar_key(&json!("Z")).unwrap(),
        ];
        let found = store.find(info, &index, &keys).await.unwrap();
        let positions: Vec<u64> = found[0].iter().map(|r| r.position).collect();
        assert_eq!(positions, [0, 2]);
        assert!(found[1].is_empty());
        assert_eq!(info.index_for(&["name"]), None);
    }

    #[tokio::test]
    async fn fuzzy_candidates_share_a_block_with_the_value() {
        let store = products();
        let info = store.get("products").unwrap().info().clone();
        let found = store
            .fuzzy_candidates(&info, "name", &["steel bolts".to_owned()])
            .await
            .unwrap();
        assert!(found[0].len() >= 2, "{found:?}");
        assert!(found[0].windows(2).all(|w| w[0].position < w[1].position));
    }
}
