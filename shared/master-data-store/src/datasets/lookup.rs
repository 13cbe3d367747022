//! Dataset lookups against the master-data table.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use backon::RetryableWithContext;
use dataset_store::{
    DATASETS, DEFAULT_FUZZY_BLOCK_LIMIT, DatasetInfo, DatasetStore, IndexSpec, StoreFuture,
    StoredRecord, Unavailable,
};
use dynamodb_support::{Item, PK, SK, Unfinished, s, sdk_error};
use tokio::task::JoinSet;
use vendor_matching::normalize::fuzzy_block_keys;

use super::item::{
    HEAD_SK, check_dataset_name, fuzzy_pk, head_from_item, head_pk, index_pk, stored_record,
    unavailable,
};
use crate::import::BATCH_BACKOFF;

/// How long a head read by [`DynamoDatasetStore::describe`] is reused by the same store (one
/// per Lambda container): a delivery then costs no head read when another just made one. A
/// replace becomes visible that much later, well within an import's grace period.
pub const DEFAULT_HEAD_CACHE_TTL: Duration = Duration::from_secs(5);
/// Queries of one import's reads in flight at once.
pub const QUERIES_IN_FLIGHT: usize = 16;
/// Queries of one `find` or `fuzzy_candidates` in flight at once: the distinct keys of a
/// 100-row invoice go out together, one round trip of parallel Queries rather than waves (an
/// interactive hook waits for the slowest wave).
pub const LOOKUP_QUERIES_IN_FLIGHT: usize = 128;
/// Heads one `BatchGetItem` reads (the API's limit).
const HEADS_PER_BATCH: usize = 100;

/// [`DatasetStore`] on the master-data table (see [`crate::datasets`] for the item layout).
#[derive(Debug)]
pub struct DynamoDatasetStore {
    client: Client,
    table: String,
    fuzzy_block_limit: usize,
    head_cache_ttl: Duration,
    /// name -> (when read, the head's description or `None` for no dataset).
    heads: Mutex<HashMap<String, (Instant, Option<DatasetInfo>)>>,
}

impl DynamoDatasetStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            fuzzy_block_limit: DEFAULT_FUZZY_BLOCK_LIMIT,
            head_cache_ttl: DEFAULT_HEAD_CACHE_TTL,
            heads: Mutex::new(HashMap::new()),
        }
    }

    /// Reuses heads for `ttl` instead of [`DEFAULT_HEAD_CACHE_TTL`] (`Duration::ZERO`: every
    /// `describe` reads them).
    pub fn with_head_cache_ttl(mut self, ttl: Duration) -> Self {
        self.head_cache_ttl = ttl;
        self
    }

    /// Reads at most `limit` items per fuzzy block instead of [`DEFAULT_FUZZY_BLOCK_LIMIT`].
    pub fn with_fuzzy_block_limit(mut self, limit: usize) -> Self {
        self.fuzzy_block_limit = limit.max(1);
        self
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    async fn describe_names(
        &self,
        names: &[String],
    ) -> Result<HashMap<String, DatasetInfo>, Unavailable> {
        let mut found = HashMap::new();
        let mut to_read: Vec<&str> = Vec::new();
        {
            let heads = self.heads.lock().unwrap_or_else(|p| p.into_inner());
            for name in names {
                match heads.get(name) {
                    Some((read_at, info)) if read_at.elapsed() < self.head_cache_ttl => {
                        if let Some(info) = info {
                            found.insert(name.clone(), info.clone());
                        }
                    }
                    // A name no import could have written has no head to read.
                    _ if check_dataset_name(name).is_err() => {}
                    _ if to_read.contains(&name.as_str()) => {}
                    _ => to_read.push(name),
                }
            }
        }
        if to_read.is_empty() {
            return Ok(found);
        }
        let read_at = Instant::now();
        let mut read = HashMap::new();
        for chunk in to_read.chunks(HEADS_PER_BATCH) {
            read.extend(read_heads(&self.client, &self.table, chunk).await?);
        }
        let mut heads = self.heads.lock().unwrap_or_else(|p| p.into_inner());
        for name in to_read {
            let info = read.remove(name);
            if let Some(info) = &info {
                found.insert(name.to_owned(), info.clone());
            }
            if !self.head_cache_ttl.is_zero() {
                heads.insert(name.to_owned(), (read_at, info));
            }
        }
        Ok(found)
    }

    /// For each of `pks` (in order), the records of that partition in position order, at most
    /// `limit` of them; each distinct partition is queried once, [`LOOKUP_QUERIES_IN_FLIGHT`] at
    /// a time.
    async fn query_partitions(
        &self,
        pks: Vec<String>,
        limit: Option<usize>,
    ) -> Result<Vec<Vec<StoredRecord>>, Unavailable> {
        let mut distinct: Vec<&String> = pks.iter().collect();
        distinct.sort();
        distinct.dedup();
        let mut results: HashMap<String, Vec<StoredRecord>> = HashMap::new();
        let mut pending = distinct.into_iter();
        let mut in_flight = JoinSet::new();
        loop {
            while in_flight.len() < LOOKUP_QUERIES_IN_FLIGHT {
                let Some(pk) = pending.next() else { break };
                let (client, table, pk) = (self.client.clone(), self.table.clone(), pk.clone());
                in_flight.spawn(async move {
                    let records = query_partition(&client, &table, &pk, limit).await;
                    (pk, records)
                });
            }
            let Some(joined) = in_flight.join_next().await else {
                break;
            };
            let (pk, records) = joined.map_err(|e| {
                unavailable(format!("a dataset query of {:?} failed: {e}", self.table))
            })?;
            results.insert(pk, records?);
        }
        Ok(pks
            .iter()
            .map(|pk| results.get(pk).cloned().unwrap_or_default())
            .collect())
    }

    async fn find_keys(
        &self,
        dataset: &DatasetInfo,
        index: &IndexSpec,
        keys: &[String],
    ) -> Result<Vec<Vec<StoredRecord>>, Unavailable> {
        if !dataset.indexes.contains(index) {
            return Ok(vec![Vec::new(); keys.len()]);
        }
        let pks = keys
            .iter()
            .map(|key| index_pk(&dataset.name, &dataset.generation, index, key))
            .collect();
        self.query_partitions(pks, None).await
    }

    async fn fuzzy(
        &self,
        dataset: &DatasetInfo,
        field: &str,
        values: &[String],
    ) -> Result<Vec<Vec<StoredRecord>>, Unavailable> {
        if !dataset.has_fuzzy(field) {
            return Ok(vec![Vec::new(); values.len()]);
        }
        let blocks: Vec<Vec<String>> = values.iter().map(|v| fuzzy_block_keys(v)).collect();
        let pks: Vec<String> = blocks
            .iter()
            .flatten()
            .map(|block| fuzzy_pk(&dataset.name, &dataset.generation, field, block))
            .collect();
        let mut per_block = self
            .query_partitions(pks, Some(self.fuzzy_block_limit))
            .await?
            .into_iter();
        Ok(blocks
            .iter()
            .map(|value_blocks| {
                // Each record once, in dataset order.
                let mut by_position = BTreeMap::new();
                for records in per_block.by_ref().take(value_blocks.len()) {
                    for record in records {
                        by_position.entry(record.position).or_insert(record);
                    }
                }
                by_position.into_values().collect()
            })
            .collect())
    }
}

impl DatasetStore for DynamoDatasetStore {
    fn describe<'a>(
        &'a self,
        names: &'a [String],
    ) -> StoreFuture<'a, HashMap<String, DatasetInfo>> {
        Box::pin(self.describe_names(names))
    }

    fn find<'a>(
        &'a self,
        dataset: &'a DatasetInfo,
        index: &'a IndexSpec,
        keys: &'a [String],
    ) -> StoreFuture<'a, Vec<Vec<StoredRecord>>> {
        Box::pin(self.find_keys(dataset, index, keys))
    }

    fn fuzzy_candidates<'a>(
        &'a self,
        dataset: &'a DatasetInfo,
        field: &'a str,
        values: &'a [String],
    ) -> StoreFuture<'a, Vec<Vec<StoredRecord>>> {
        Box::pin(self.fuzzy(dataset, field, values))
    }
}

/// The current description of each of `names` that has a head with a generation, from one
/// `BatchGetItem` (its unprocessed keys retried under the import backoff).
pub(crate) async fn read_heads(
    client: &Client,
    table: &str,
    names: &[&str],
) -> Result<HashMap<String, DatasetInfo>, Unavailable> {
    let keys: Vec<Item> = names
        .iter()
        .map(|name| {
            HashMap::from([
                (PK.to_owned(), s(head_pk(name))),
                (SK.to_owned(), s(HEAD_SK)),
            ])
        })
        .collect();
    let read = |(keys, mut heads): (Vec<Item>, HashMap<String, DatasetInfo>)| async move {
        let request = match KeysAndAttributes::builder().set_keys(Some(keys)).build() {
            Ok(request) => request,
            Err(e) => {
                let failure = unavailable(format!("BatchGetItem request for {table:?}: {e}"));
                return ((Vec::new(), heads), Err(Unfinished::Failed(failure)));
            }
        };
        let output = match client
            .batch_get_item()
            .request_items(table, request)
            .send()
            .await
        {
            Ok(output) => output,
            Err(e) => {
                let failure = sdk_error(DATASETS, "BatchGetItem", table, e);
                return ((Vec::new(), heads), Err(Unfinished::Failed(failure)));
            }
        };
        for item in output
            .responses
            .and_then(|mut r| r.remove(table))
            .unwrap_or_default()
        {
            let Some(name) = item
                .get(PK)
                .and_then(|v| v.as_s().ok())
                .and_then(|pk| pk.strip_prefix("DATASET#"))
                .map(str::to_owned)
            else {
                continue;
            };
            match head_from_item(&name, &item) {
                Ok(head) => {
                    if let Some(info) = head.info {
                        heads.insert(name, info);
                    }
                }
                Err(e) => return ((Vec::new(), heads), Err(Unfinished::Failed(e))),
            }
        }
        let left = output
            .unprocessed_keys
            .and_then(|mut u| u.remove(table))
            .map(|left| left.keys)
            .unwrap_or_default();
        let outcome = match left.len() {
            0 => Ok(()),
            n => Err(Unfinished::Left(n)),
        };
        ((left, heads), outcome)
    };
    let ((_, heads), outcome) = read
        .retry(BATCH_BACKOFF)
        .context((keys, HashMap::new()))
        .when(Unfinished::is_left)
        .await;
    outcome.map_err(|e| {
        e.into_unavailable(DATASETS, BATCH_BACKOFF, ("BatchGetItem", table), "keys")
    })?;
    Ok(heads)
}

/// The records of partition `pk`, every page or the first `limit`, in position order.
pub(crate) async fn query_partition(
    client: &Client,
    table: &str,
    pk: &str,
    limit: Option<usize>,
) -> Result<Vec<StoredRecord>, Unavailable> {
    let items = query_items(client, table, pk, limit, false).await?;
    items.iter().map(stored_record).collect()
}

/// The items of partition `pk` in sort-key order, every page or the first `limit`
/// (`consistent`: strongly consistent reads, as imports make).
pub(crate) async fn query_items(
    client: &Client,
    table: &str,
    pk: &str,
    limit: Option<usize>,
    consistent: bool,
) -> Result<Vec<Item>, Unavailable> {
    let mut items = Vec::new();
    // Pages are read one at a time, when the previous one is used up: nothing is read past
    // the first `limit` items.
    let mut pages = client
        .query()
        .table_name(table)
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()))
        .set_limit(limit.map(|l| i32::try_from(l).unwrap_or(i32::MAX)))
        .set_consistent_read(consistent.then_some(true))
        .into_paginator()
        .items()
        .send();
    while limit.is_none_or(|l| items.len() < l) {
        match pages
            .try_next()
            .await
            .map_err(|e| sdk_error(DATASETS, "Query", table, e))?
        {
            Some(item) => items.push(item),
            None => break,
        }
    }
    Ok(items)
}
