//! contract.fit deliveries in the records table (see the crate documentation for its items),
//! one module per kind of item: the delivery items that make each delivery stored once
//! ([`delivery`]), the OCR text ([`text`]) and the parts of any content too large for one item
//! ([`parts`]), the sections ([`sections`]), the document versions ([`versions`]), the
//! failures ([`failures`]) and the deletion ([`deletion`]). Here: the store, loading a
//! document from its partition, and the table access they share.

mod deletion;
mod delivery;
mod failures;
mod parts;
mod sections;
mod text;
mod versions;

use crate::contractfit_unavailable;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
use backon::ExponentialBuilder;
use dynamodb_support::{Attributes, Item, PK, SK, batch_write_item, get_item, s, sdk_error};
use serde_json::Value;
use webhook_model::contractfit::{DocumentId, Section};

use crate::{
    CONTRACTFIT_STORE, ContractFitStore, Delivery, KEY_PREFIX, StoreFuture, Stored, StoredDocument,
    Timestamp, Unavailable, sort_versions,
};
use deletion::{DELETED_SK, deletion_from_item};
use delivery::DELIVERY_PREFIX;
use failures::{FAIL_PREFIX, failure_from_item};
use parts::{CHUNK_PREFIX, part_of};
use sections::{SECTIONS_SK, sections_from_item};
use text::{TEXT_SK, text_from_item};
use versions::{version_event, version_from_item};

/// Write requests per `BatchWriteItem` (DynamoDB's limit).
const BATCH_SIZE: usize = 25;
/// Attempts of a batch whose items DynamoDB left unprocessed (throttling).
const BATCH_ATTEMPTS: u32 = 8;
/// The pauses between those attempts: 50 ms doubling up to 1.6 s, each lengthened by a random
/// part of up to as much again (so at most 100 ms first and 3.2 s last, under 9.5 s in all),
/// so that writers throttled together do not retry in step.
const BATCH_BACKOFF: ExponentialBuilder = ExponentialBuilder::new()
    .with_jitter()
    .with_min_delay(Duration::from_millis(50))
    .with_max_delay(Duration::from_millis(1_600))
    .with_max_times(BATCH_ATTEMPTS as usize - 1);
/// Hex digits of the content hash in a version's or failure's sort key: with the arrival
/// time, enough to keep two versions apart.
const KEY_HASH_DIGITS: usize = 16;

/// [`ContractFitStore`] on the records table.
#[derive(Debug, Clone)]
pub struct DynamoContractFitStore {
    client: Client,
    table: String,
}

impl DynamoContractFitStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// The partition key of a document's items.
    pub fn partition_key(document_id: &DocumentId) -> String {
        format!("{KEY_PREFIX}{document_id}")
    }

    async fn read(&self, document_id: &DocumentId) -> Result<Option<StoredDocument>, Unavailable> {
        let pk = Self::partition_key(document_id);
        let items = self.partition_items(&pk, false).await?;
        if items.is_empty() {
            return Ok(None);
        }
        let mut document = StoredDocument::new(document_id.clone());
        let mut parts: HashMap<String, BTreeMap<usize, Blob>> = HashMap::new();
        let mut text_item = None;
        let mut version_items = Vec::new();
        for item in items {
            let sk = attributes(&item).required_text(SK)?;
            if sk == TEXT_SK {
                text_item = Some(item);
            } else if sk == SECTIONS_SK {
                document.sections = Some(sections_from_item(&item)?);
            } else if sk == DELETED_SK {
                document.deletion = Some(deletion_from_item(&item)?);
            } else if let Some(key) = sk.strip_prefix(DELIVERY_PREFIX) {
                document.deliveries.push(key.to_owned());
            } else if let Some(rest) = sk.strip_prefix(CHUNK_PREFIX) {
                let (owner, index, data) = part_of(&sk, rest, &item)?;
                parts
                    .entry(owner.to_owned())
                    .or_default()
                    .insert(index, data);
            } else if sk.starts_with(FAIL_PREFIX) {
                document.failures.push(failure_from_item(&sk, &item)?);
            } else if version_event(&sk).is_some() {
                version_items.push((sk, item));
            }
        }
        if let Some(item) = text_item {
            document.text = Some(text_from_item(&item, &parts)?);
        }
        for (sk, item) in version_items {
            document
                .versions
                .push(version_from_item(&sk, &item, &parts)?);
        }
        sort_versions(&mut document.versions);
        document
            .failures
            .sort_by(|a, b| a.received_at.cmp(&b.received_at));
        document.deliveries.sort();
        Ok(Some(document))
    }

    /// One strongly consistent `GetItem`.
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, Unavailable> {
        get_item(&self.client, CONTRACTFIT_STORE, &self.table, pk, sk, true).await
    }

    async fn partition_sort_keys(&self, pk: &str) -> Result<Vec<String>, Unavailable> {
        self.partition_items(pk, true)
            .await?
            .iter()
            .map(|item| attributes(item).required_text(SK))
            .collect()
    }

    /// Every item of a partition (strongly consistent, every page); only the keys when
    /// `keys_only`.
    async fn partition_items(&self, pk: &str, keys_only: bool) -> Result<Vec<Item>, Unavailable> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":pk", s(pk))
            .consistent_read(true);
        if keys_only {
            query = query
                .projection_expression("#pk, #sk")
                .expression_attribute_names("#sk", SK);
        }
        query
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| sdk_error(CONTRACTFIT_STORE, "Query", &self.table, e))
    }

    /// `BatchWriteItem`s of [`BATCH_SIZE`], retrying unprocessed items after [`BATCH_BACKOFF`].
    async fn batch_write(&self, requests: Vec<WriteRequest>) -> Result<(), Unavailable> {
        let (client, table) = (&self.client, self.table.as_str());
        for batch in requests.chunks(BATCH_SIZE) {
            batch_write_item(
                client,
                table,
                batch.to_vec(),
                BATCH_BACKOFF,
                CONTRACTFIT_STORE,
            )
            .await?;
        }
        Ok(())
    }
}

impl ContractFitStore for DynamoContractFitStore {
    fn store_text<'a>(&'a self, delivery: &'a Delivery, text: &'a str) -> StoreFuture<'a, Stored> {
        Box::pin(self.put_text(delivery, text))
    }

    fn store_sections<'a>(
        &'a self,
        delivery: &'a Delivery,
        sections: &'a [Section],
    ) -> StoreFuture<'a, Stored> {
        Box::pin(self.put_sections(delivery, sections))
    }

    fn store_document<'a>(
        &'a self,
        delivery: &'a Delivery,
        document: &'a Value,
    ) -> StoreFuture<'a, Stored> {
        Box::pin(self.put_document(delivery, document))
    }

    fn record_failure<'a>(
        &'a self,
        delivery: &'a Delivery,
        data: &'a Value,
    ) -> StoreFuture<'a, Stored> {
        Box::pin(self.put_failure(delivery, data))
    }

    fn delete_document<'a>(&'a self, delivery: &'a Delivery) -> StoreFuture<'a, Stored> {
        Box::pin(self.delete(delivery))
    }

    fn load<'a>(&'a self, document_id: &'a DocumentId) -> StoreFuture<'a, Option<StoredDocument>> {
        Box::pin(self.read(document_id))
    }
}

/// The attributes of an item of the records table, as this store reads them.
fn attributes(item: &Item) -> Attributes<'_> {
    Attributes::of(CONTRACTFIT_STORE, item)
}

fn base_item(delivery: &Delivery, sk: &str, kind: &str) -> Item {
    let mut item = HashMap::with_capacity(12);
    item.insert(
        PK.to_owned(),
        s(DynamoContractFitStore::partition_key(&delivery.document_id)),
    );
    item.insert(SK.to_owned(), s(sk));
    item.insert("kind".to_owned(), s(kind));
    item.insert("document_id".to_owned(), s(delivery.document_id.as_str()));
    item.insert("received_at".to_owned(), s(delivery.received_at.as_str()));
    item
}

fn delete_request(pk: &str, sk: &str) -> Result<WriteRequest, Unavailable> {
    DeleteRequest::builder()
        .key(PK, s(pk))
        .key(SK, s(sk))
        .build()
        .map(|delete| WriteRequest::builder().delete_request(delete).build())
        .map_err(|e| contractfit_unavailable(format!("delete request: {e}")))
}

fn parse_json(json: &str, sk: &str) -> Result<Value, Unavailable> {
    serde_json::from_str(json)
        .map_err(|e| contractfit_unavailable(format!("item {sk:?} holds invalid JSON: {e}")))
}

fn timestamp(item: &Item, name: &str) -> Result<Timestamp, Unavailable> {
    Timestamp::parse(&attributes(item).required_text(name)?)
        .map_err(|e| contractfit_unavailable(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use backon::BackoffBuilder;

    #[test]
    fn unprocessed_writes_are_retried_after_growing_jittered_pauses() {
        let pauses: Vec<Duration> = BATCH_BACKOFF.build().collect();
        assert_eq!(pauses.len(), BATCH_ATTEMPTS as usize - 1);
        for (i, pause) in pauses.iter().enumerate() {
            let step = Duration::from_millis(100 << i.min(5));
            assert!(*pause >= step / 2 && *pause <= step, "{i}: {pause:?}");
        }
        assert!(pauses.iter().sum::<Duration>() <= Duration::from_millis(9_500));
    }
}
