//! A dataset store that reports each call before passing it on: what the hooks count as
//! master-data round trips and what the matching bench logs.

use std::collections::HashMap;
use std::fmt;

use unavailable::StoreFuture;

use crate::{DatasetInfo, DatasetStore, IndexSpec, StoredRecord};

/// One call to a [`DatasetStore`], with how many names, keys or values it asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetCall {
    Describe(usize),
    Find(usize),
    Fuzzy(usize),
}

impl fmt::Display for DatasetCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Describe(names) => write!(f, "describe({names})"),
            Self::Find(keys) => write!(f, "find({keys})"),
            Self::Fuzzy(values) => write!(f, "fuzzy({values})"),
        }
    }
}

/// What is told of each call: a closure, or a type of its own where the store's type is named.
pub trait DatasetObserver: Send + Sync {
    fn observe(&self, call: DatasetCall);
}

impl<F: Fn(DatasetCall) + Send + Sync> DatasetObserver for F {
    fn observe(&self, call: DatasetCall) {
        self(call)
    }
}

/// `inner`, with `observer` told of every call first.
pub struct ObservedDatasetStore<'s, S: ?Sized, F> {
    inner: &'s S,
    observer: F,
}

impl<'s, S: ?Sized, F: DatasetObserver> ObservedDatasetStore<'s, S, F> {
    pub fn new(inner: &'s S, observer: F) -> Self {
        Self { inner, observer }
    }

    pub fn observer(&self) -> &F {
        &self.observer
    }
}

impl<S: DatasetStore + ?Sized, F: DatasetObserver> DatasetStore for ObservedDatasetStore<'_, S, F> {
    fn describe<'a>(
        &'a self,
        names: &'a [String],
    ) -> StoreFuture<'a, HashMap<String, DatasetInfo>> {
        self.observer.observe(DatasetCall::Describe(names.len()));
        self.inner.describe(names)
    }

    fn find<'a>(
        &'a self,
        dataset: &'a DatasetInfo,
        index: &'a IndexSpec,
        keys: &'a [String],
    ) -> StoreFuture<'a, Vec<Vec<StoredRecord>>> {
        self.observer.observe(DatasetCall::Find(keys.len()));
        self.inner.find(dataset, index, keys)
    }

    fn fuzzy_candidates<'a>(
        &'a self,
        dataset: &'a DatasetInfo,
        field: &'a str,
        values: &'a [String],
    ) -> StoreFuture<'a, Vec<Vec<StoredRecord>>> {
        self.observer.observe(DatasetCall::Fuzzy(values.len()));
        self.inner.fuzzy_candidates(dataset, field, values)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use serde_json::json;

    use super::*;
    use crate::{Dataset, InMemoryDatasetStore};

    #[tokio::test]
    async fn reports_each_call_with_its_size_and_passes_the_answers_on() {
        let inner = InMemoryDatasetStore::new([Dataset::new(
            "products",
            vec![json!({"code": "A-1", "name": "Steel bolt"})],
            vec![IndexSpec::parse("code").unwrap()],
            vec!["name".to_owned()],
        )]);
        let seen = Mutex::new(Vec::new());
        let store = ObservedDatasetStore::new(&inner, |call| seen.lock().unwrap().push(call));

        let names = ["products".to_owned(), "nope".to_owned()];
        let info = store
            .describe(&names)
            .await
            .unwrap()
            .remove("products")
            .unwrap();
        let index = info.indexes[0].clone();
        let keys = vec![crate::scalar_key(&json!("A-1")).unwrap(); 3];
        let found = store.find(&info, &index, &keys).await.unwrap();
        let fuzzy = store
            .fuzzy_candidates(&info, "name", &["steel".to_owned()])
            .await
            .unwrap();

        assert_eq!(found, inner.find(&info, &index, &keys).await.unwrap());
        assert_eq!(fuzzy[0].len(), 1);
        let seen = seen.into_inner().unwrap();
        assert_eq!(
            seen,
            [
                DatasetCall::Describe(2),
                DatasetCall::Find(3),
                DatasetCall::Fuzzy(1)
            ]
        );
        assert_eq!(seen[1].to_string(), "find(3)");
    }
}
