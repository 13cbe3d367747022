//! contract.fit deliveries in the records table (see the crate documentation for its items).

use crate::contractfit_unavailable;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, ConditionCheck, DeleteRequest, Put, PutRequest,
    TransactWriteItem, WriteRequest,
};
use dynamodb_support::{
    Attributes, Cancellation, Item, PK, SK, classify_cancellation, n, s, sdk_error, transact_write,
};
use serde_json::Value;
use webhook_model::contractfit::{ContractFitEvent, DocumentId, NumberText, Section};

use crate::blob::{Layout, layout, reassemble, verified};
use crate::{
    CONTRACTFIT_STORE, ContractFitStore, Deletion, Delivery, DocumentVersion, Failure, KEY_PREFIX,
    StoreFuture, Stored, StoredDocument, StoredSections, StoredText, Timestamp, Unavailable,
    canonical_json, document_time, not_a_document_event, sha256_hex, sort_versions, version_prefix,
};

const TEXT_SK: &str = "TEXT";
const SECTIONS_SK: &str = "SECTIONS";
const DELETED_SK: &str = "DELETED";
const DELIVERY_PREFIX: &str = "DELIVERY#";
const CHUNK_PREFIX: &str = "CHUNK#";
const FAIL_PREFIX: &str = "FAIL#";

/// Write requests per `BatchWriteItem` (DynamoDB's limit).
const BATCH_SIZE: usize = 25;
/// Attempts of a batch whose items DynamoDB left unprocessed (throttling).
const BATCH_ATTEMPTS: u32 = 8;
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

    async fn put_text(&self, delivery: &Delivery, text: &str) -> Result<Stored, Unavailable> {
        let pk = Self::partition_key(&delivery.document_id);
        // A duplicate or a deleted document needs no parts written, and the parts of the text
        // this one replaces are removed once it is in place.
        let delivery_key = delivery_sk(delivery);
        let (marker, seen, current) = tokio::try_join!(
            self.get(&pk, DELETED_SK),
            self.get(&pk, &delivery_key),
            self.get(&pk, TEXT_SK),
        )?;
        if seen.is_some() {
            return Ok(Stored::Duplicate);
        }
        if marker.is_some() {
            return Ok(Stored::AfterDeletion);
        }
        let sha256 = sha256_hex(text.as_bytes());
        let owner = format!("TEXT#{sha256}");
        let mut item = base_item(delivery, TEXT_SK, "contractfit_text");
        item.insert("text_sha256".into(), s(&sha256));
        item.insert("text_bytes".into(), n(text.len()));
        let parts = match layout(text)? {
            Layout::Inline => {
                item.insert("text".into(), s(text));
                Vec::new()
            }
            Layout::Chunked(parts) => {
                item.insert("chunk_count".into(), n(parts.len()));
                parts
            }
        };
        let part_count = parts.len();
        let outcome = self.write_once(delivery, None, item, &owner, parts).await?;
        match outcome {
            // The parts are keyed by content: a duplicate's are the stored text's own.
            Stored::AfterDeletion => self.remove_parts(&pk, &owner, part_count).await,
            Stored::Stored => {
                if let Some(replaced) = current {
                    let old_sha = attributes(&replaced)
                        .text("text_sha256")?
                        .unwrap_or_default();
                    let old_parts = attributes(&replaced).number("chunk_count")?.unwrap_or(0);
                    if old_sha != sha256 && old_parts > 0 {
                        self.remove_parts(&pk, &format!("TEXT#{old_sha}"), old_parts)
                            .await;
                    }
                }
            }
            Stored::Duplicate => {}
        }
        Ok(outcome)
    }

    async fn put_sections(
        &self,
        delivery: &Delivery,
        sections: &[Section],
    ) -> Result<Stored, Unavailable> {
        let mut item = base_item(delivery, SECTIONS_SK, "contractfit_sections");
        item.insert(
            "sections".into(),
            AttributeValue::L(sections.iter().map(section_attribute).collect()),
        );
        item.insert("section_count".into(), n(sections.len()));
        self.write_once(delivery, None, item, "", Vec::new()).await
    }

    async fn put_document(
        &self,
        delivery: &Delivery,
        document: &Value,
    ) -> Result<Stored, Unavailable> {
        let prefix =
            version_prefix(&delivery.event).ok_or_else(|| not_a_document_event(&delivery.event))?;
        let json = canonical_json(document);
        let sha256 = sha256_hex(json.as_bytes());
        let time = document_time(document);
        let sk = format!(
            "{prefix}#{}#{}",
            delivery.received_at,
            &sha256[..KEY_HASH_DIGITS]
        );
        let kind = format!("contractfit_{}", prefix.to_ascii_lowercase());
        let mut item = base_item(delivery, &sk, &kind);
        item.insert("event".into(), s(delivery.event.as_str()));
        item.insert("document_sha256".into(), s(&sha256));
        item.insert("document_bytes".into(), n(json.len()));
        if let Some(time) = &time {
            item.insert("document_time".into(), s(time.as_str()));
        }
        let parts = match layout(&json)? {
            Layout::Inline => {
                item.insert("document".into(), s(json));
                Vec::new()
            }
            Layout::Chunked(parts) => {
                // Writing megabytes of parts for a duplicate or a deleted document is waste.
                if let Some(outcome) = self.precheck(delivery, time.as_ref()).await? {
                    return Ok(outcome);
                }
                item.insert("chunk_count".into(), n(parts.len()));
                parts
            }
        };
        let part_count = parts.len();
        let outcome = self
            .write_once(delivery, time.as_ref(), item, &sk, parts)
            .await?;
        // A version's parts are its own: nothing else refers to them when it was not stored.
        if outcome != Stored::Stored && part_count > 0 {
            let pk = Self::partition_key(&delivery.document_id);
            self.remove_parts(&pk, &sk, part_count).await;
        }
        Ok(outcome)
    }

    async fn put_failure(&self, delivery: &Delivery, data: &Value) -> Result<Stored, Unavailable> {
        let sk = format!(
            "{FAIL_PREFIX}{}#{}",
            delivery.received_at,
            &delivery.data_sha256[..KEY_HASH_DIGITS]
        );
        let mut item = base_item(delivery, &sk, "contractfit_failure");
        item.insert("data".into(), s(canonical_json(data)));
        self.write_once(delivery, None, item, "", Vec::new()).await
    }

    /// Whether the delivery is a duplicate or comes after the deletion, read before
    /// anything is written.
    async fn precheck(
        &self,
        delivery: &Delivery,
        document_time: Option<&Timestamp>,
    ) -> Result<Option<Stored>, Unavailable> {
        let pk = Self::partition_key(&delivery.document_id);
        let delivery_key = delivery_sk(delivery);
        let (marker, seen) =
            tokio::try_join!(self.get(&pk, DELETED_SK), self.get(&pk, &delivery_key),)?;
        if seen.is_some() {
            return Ok(Some(Stored::Duplicate));
        }
        if let Some(marker) = marker {
            let deleted_at = timestamp(&marker, "deleted_at")?;
            if document_time.is_none_or(|time| *time <= deleted_at) {
                return Ok(Some(Stored::AfterDeletion));
            }
        }
        Ok(None)
    }

    /// Writes `parts` (items of `owner`), then in one transaction checks the deletion
    /// marker, writes the delivery item unless it exists, and writes `item`.
    async fn write_once(
        &self,
        delivery: &Delivery,
        document_time: Option<&Timestamp>,
        item: Item,
        owner: &str,
        parts: Vec<Vec<u8>>,
    ) -> Result<Stored, Unavailable> {
        let pk = Self::partition_key(&delivery.document_id);
        if !parts.is_empty() {
            let puts = parts
                .into_iter()
                .enumerate()
                .map(|(index, data)| {
                    let mut part = HashMap::with_capacity(5);
                    part.insert(PK.to_owned(), s(&pk));
                    part.insert(SK.to_owned(), s(part_sk(owner, index)));
                    part.insert("kind".to_owned(), s("contractfit_chunk"));
                    part.insert("document_id".to_owned(), s(delivery.document_id.as_str()));
                    part.insert("data".to_owned(), AttributeValue::B(Blob::new(data)));
                    PutRequest::builder()
                        .set_item(Some(part))
                        .build()
                        .map(|put| WriteRequest::builder().put_request(put).build())
                        .map_err(|e| contractfit_unavailable(format!("part put: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            self.batch_write(puts).await?;
        }

        let mut check = ConditionCheck::builder()
            .table_name(&self.table)
            .key(PK, s(&pk))
            .key(SK, s(DELETED_SK))
            .expression_attribute_names("#pk", PK);
        check = match document_time {
            None => check.condition_expression("attribute_not_exists(#pk)"),
            Some(time) => check
                .condition_expression("attribute_not_exists(#pk) OR #deleted_at < :document_time")
                .expression_attribute_names("#deleted_at", "deleted_at")
                .expression_attribute_values(":document_time", s(time.as_str())),
        };
        let check = check
            .build()
            .map_err(|e| contractfit_unavailable(format!("deletion check: {e}")))?;
        let delivery_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(delivery_item(delivery)))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(|e| contractfit_unavailable(format!("delivery put: {e}")))?;
        let item_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .build()
            .map_err(|e| contractfit_unavailable(format!("item put: {e}")))?;

        let items = vec![
            TransactWriteItem::builder().condition_check(check).build(),
            TransactWriteItem::builder().put(delivery_put).build(),
            TransactWriteItem::builder().put(item_put).build(),
        ];
        Ok(
            match transact_write(
                &self.client,
                &self.table,
                items,
                classify_write_cancellation,
            )
            .await
            .map_err(contractfit_unavailable)?
            {
                None => Stored::Stored,
                Some(WriteSettled::Duplicate) => Stored::Duplicate,
                Some(WriteSettled::Deleted) => Stored::AfterDeletion,
            },
        )
    }

    async fn delete(&self, delivery: &Delivery) -> Result<Stored, Unavailable> {
        let pk = Self::partition_key(&delivery.document_id);
        let marker = self.get(&pk, DELETED_SK).await?;
        if marker.is_some_and(|m| m.contains_key("completed_at")) {
            return Ok(Stored::Duplicate);
        }
        // The marker first: from now on nothing new is stored for the document, so the
        // sweep below leaves nothing behind. `deleted_at` stays that of the first attempt.
        self.client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(&pk))
            .key(SK, s(DELETED_SK))
            .update_expression(
                "SET #deleted_at = if_not_exists(#deleted_at, :now), #kind = :kind, #document_id = :document_id",
            )
            .expression_attribute_names("#deleted_at", "deleted_at")
            .expression_attribute_names("#kind", "kind")
            .expression_attribute_names("#document_id", "document_id")
            .expression_attribute_values(":now", s(delivery.received_at.as_str()))
            .expression_attribute_values(":kind", s("contractfit_deletion"))
            .expression_attribute_values(":document_id", s(delivery.document_id.as_str()))
            .send()
            .await
            .map_err(|e| sdk_error(CONTRACTFIT_STORE, "UpdateItem", &self.table, e))?;

        let doomed = self
            .partition_sort_keys(&pk)
            .await?
            .into_iter()
            .filter(|sk| sk != DELETED_SK)
            .map(|sk| delete_request(&pk, &sk))
            .collect::<Result<Vec<_>, _>>()?;
        self.batch_write(doomed).await?;

        let completed = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(&pk))
            .key(SK, s(DELETED_SK))
            .update_expression("SET #completed_at = :now")
            .condition_expression("attribute_not_exists(#completed_at)")
            .expression_attribute_names("#completed_at", "completed_at")
            .expression_attribute_values(":now", s(delivery.received_at.as_str()))
            .send()
            .await;
        match completed {
            Ok(_) => Ok(Stored::Stored),
            // Another delivery of the delete finished first.
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(Stored::Duplicate)
            }
            Err(err) => Err(sdk_error(CONTRACTFIT_STORE, "UpdateItem", &self.table, err)),
        }
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
                document.deletion = Some(Deletion {
                    deleted_at: timestamp(&item, "deleted_at")?,
                    complete: item.contains_key("completed_at"),
                });
            } else if let Some(key) = sk.strip_prefix(DELIVERY_PREFIX) {
                document.deliveries.push(key.to_owned());
            } else if let Some(rest) = sk.strip_prefix(CHUNK_PREFIX) {
                let (owner, index) = rest
                    .rsplit_once('#')
                    .and_then(|(owner, index)| Some((owner, index.parse::<usize>().ok()?)))
                    .ok_or_else(|| {
                        contractfit_unavailable(format!("part item with sort key {sk:?}"))
                    })?;
                let data = match item.get("data") {
                    Some(AttributeValue::B(data)) => data.clone(),
                    _ => {
                        return Err(contractfit_unavailable(format!(
                            "part {sk:?} without binary data"
                        )));
                    }
                };
                parts
                    .entry(owner.to_owned())
                    .or_default()
                    .insert(index, data);
            } else if sk.starts_with(FAIL_PREFIX) {
                let data = attributes(&item).required_text("data")?;
                document.failures.push(Failure {
                    received_at: timestamp(&item, "received_at")?,
                    data: parse_json(&data, &sk)?,
                });
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
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, s(pk))
            .key(SK, s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error(CONTRACTFIT_STORE, "GetItem", &self.table, e))?;
        Ok(output.item)
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

    /// `BatchWriteItem`s of [`BATCH_SIZE`], retrying unprocessed items with backoff.
    async fn batch_write(&self, requests: Vec<WriteRequest>) -> Result<(), Unavailable> {
        for batch in requests.chunks(BATCH_SIZE) {
            let mut pending = batch.to_vec();
            let mut attempt = 1;
            loop {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(|e| sdk_error(CONTRACTFIT_STORE, "BatchWriteItem", &self.table, e))?;
                pending = output
                    .unprocessed_items
                    .and_then(|mut unprocessed| unprocessed.remove(&self.table))
                    .unwrap_or_default();
                if pending.is_empty() {
                    break;
                }
                if attempt >= BATCH_ATTEMPTS {
                    return Err(contractfit_unavailable(format!(
                        "DynamoDB left {} writes on table {:?} unprocessed after {attempt} attempts",
                        pending.len(),
                        self.table
                    )));
                }
                tokio::time::sleep(Duration::from_millis(50 << attempt.min(6))).await;
                attempt += 1;
            }
        }
        Ok(())
    }

    /// Removes the parts of `owner`. Parts left behind are unreachable and go with the
    /// document's deletion, so a failure is logged, not returned.
    async fn remove_parts(&self, pk: &str, owner: &str, count: usize) {
        let requests: Result<Vec<_>, _> = (0..count)
            .map(|index| delete_request(pk, &part_sk(owner, index)))
            .collect();
        if let Err(error) = async { self.batch_write(requests?).await }.await {
            tracing::warn!(
                partition = pk,
                parts = count,
                "unreferenced parts left in the table: {error}"
            );
        }
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

/// What a cancelled write means, from its per-item reasons (deletion check, delivery item,
/// the item itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WriteSettled {
    /// The delivery item exists: this delivery was stored before.
    Duplicate,
    /// The deletion marker's condition failed: the document is deleted.
    Deleted,
}

fn classify_write_cancellation(reasons: &[CancellationReason]) -> Cancellation<WriteSettled> {
    classify_cancellation(reasons, 3, |codes| match codes {
        [_, "ConditionalCheckFailed", _] => Some(WriteSettled::Duplicate),
        ["ConditionalCheckFailed", _, _] => Some(WriteSettled::Deleted),
        _ => None,
    })
}

/// The attributes of an item of the records table, as this store reads them.
fn attributes(item: &Item) -> Attributes<'_> {
    Attributes::of(CONTRACTFIT_STORE, item)
}

fn delivery_sk(delivery: &Delivery) -> String {
    format!("{DELIVERY_PREFIX}{}", delivery.key())
}

fn part_sk(owner: &str, index: usize) -> String {
    format!("{CHUNK_PREFIX}{owner}#{index:05}")
}

/// The event of a version item's sort key.
fn version_event(sk: &str) -> Option<ContractFitEvent> {
    let prefix = sk.split('#').next()?;
    [
        ContractFitEvent::DocumentPredict,
        ContractFitEvent::DocumentEvaluate,
        ContractFitEvent::DocumentReject,
    ]
    .into_iter()
    .find(|event| version_prefix(event) == Some(prefix))
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

fn delivery_item(delivery: &Delivery) -> Item {
    let mut item = base_item(delivery, &delivery_sk(delivery), "contractfit_delivery");
    item.insert("event".to_owned(), s(delivery.event.as_str()));
    item.insert("data_sha256".to_owned(), s(&delivery.data_sha256));
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

fn section_attribute(section: &Section) -> AttributeValue {
    let mut map = HashMap::with_capacity(6);
    map.insert("document_type".to_owned(), s(&section.document_type));
    if let Some(format) = &section.format {
        map.insert("format".to_owned(), s(format));
    }
    map.insert("confidence".to_owned(), s(&section.confidence.raw));
    if let Some(value) = section.confidence.value.filter(|v| storable(*v)) {
        map.insert("confidence_value".to_owned(), n(value));
    }
    map.insert("page".to_owned(), s(&section.page.raw));
    if let Some(value) = section.page.value {
        map.insert("page_value".to_owned(), n(value));
    }
    AttributeValue::M(map)
}

/// Numbers DynamoDB stores exactly as Rust prints them (Rust prints `f64`s digit by digit,
/// never with an exponent, and DynamoDB keeps 38 digits).
fn storable(value: f64) -> bool {
    value == 0.0 || (value.is_finite() && (1e-30..1e30).contains(&value.abs()))
}

fn sections_from_item(item: &Item) -> Result<StoredSections, Unavailable> {
    let list = match item.get("sections") {
        Some(AttributeValue::L(list)) => list,
        _ => {
            return Err(contractfit_unavailable(
                "sections item without a 'sections' list",
            ));
        }
    };
    let sections = list
        .iter()
        .map(|entry| {
            let AttributeValue::M(map) = entry else {
                return Err(contractfit_unavailable(format!(
                    "section {entry:?} is not a map"
                )));
            };
            Ok(Section {
                document_type: attributes(map).required_text("document_type")?,
                format: attributes(map).text("format")?,
                confidence: NumberText {
                    raw: attributes(map).required_text("confidence")?,
                    value: attributes(map).number("confidence_value")?,
                },
                page: NumberText {
                    raw: attributes(map).required_text("page")?,
                    value: attributes(map).number("page_value")?,
                },
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(StoredSections {
        sections,
        received_at: timestamp(item, "received_at")?,
    })
}

/// Inline content, or the parts of `owner` reassembled; checked against length and hash.
fn content(
    item: &Item,
    inline_attribute: &str,
    owner: &str,
    expected_bytes: usize,
    expected_sha256: &str,
    parts: &HashMap<String, BTreeMap<usize, Blob>>,
) -> Result<String, Unavailable> {
    if let Some(inline) = attributes(item).text(inline_attribute)? {
        return verified(inline.into_bytes(), expected_bytes, expected_sha256);
    }
    let count: usize = attributes(item).number("chunk_count")?.ok_or_else(|| {
        contractfit_unavailable(format!("{owner} has neither {inline_attribute} nor parts"))
    })?;
    let found = parts.get(owner);
    let ordered = (0..count)
        .map(|index| {
            found
                .and_then(|p| p.get(&index))
                .map(|blob| blob.as_ref())
                .ok_or_else(|| {
                    contractfit_unavailable(format!("{owner} is missing part {index} of {count}"))
                })
        })
        .collect::<Result<Vec<&[u8]>, _>>()?;
    reassemble(ordered, expected_bytes, expected_sha256)
}

fn text_from_item(
    item: &Item,
    parts: &HashMap<String, BTreeMap<usize, Blob>>,
) -> Result<StoredText, Unavailable> {
    let sha256 = attributes(item).required_text("text_sha256")?;
    let bytes = attributes(item).required_number("text_bytes")?;
    let text = content(
        item,
        "text",
        &format!("TEXT#{sha256}"),
        bytes,
        &sha256,
        parts,
    )?;
    Ok(StoredText {
        text,
        sha256,
        received_at: timestamp(item, "received_at")?,
    })
}

fn version_from_item(
    sk: &str,
    item: &Item,
    parts: &HashMap<String, BTreeMap<usize, Blob>>,
) -> Result<DocumentVersion, Unavailable> {
    let event =
        version_event(sk).ok_or_else(|| contractfit_unavailable(format!("version item {sk:?}")))?;
    let sha256 = attributes(item).required_text("document_sha256")?;
    let bytes = attributes(item).required_number("document_bytes")?;
    let json = content(item, "document", sk, bytes, &sha256, parts)?;
    Ok(DocumentVersion {
        event,
        received_at: timestamp(item, "received_at")?,
        document_time: attributes(item)
            .text("document_time")?
            .map(|t| Timestamp::parse(&t).map_err(|e| contractfit_unavailable(e.to_string())))
            .transpose()?,
        sha256,
        document: parse_json(&json, sk)?,
    })
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

    fn reasons(codes: &[&str]) -> Vec<CancellationReason> {
        codes
            .iter()
            .map(|code| CancellationReason::builder().code(*code).build())
            .collect()
    }

    #[test]
    fn cancellation_reasons_tell_duplicates_from_deleted_documents() {
        use Cancellation::{Conflict, Settled, Unexpected};
        use WriteSettled::{Deleted, Duplicate};
        for (codes, expected) in [
            (
                &["None", "ConditionalCheckFailed", "None"][..],
                Settled(Duplicate),
            ),
            (
                &["ConditionalCheckFailed", "ConditionalCheckFailed", "None"][..],
                Settled(Duplicate),
            ),
            (
                &["ConditionalCheckFailed", "None", "None"][..],
                Settled(Deleted),
            ),
            (&["None", "None", "TransactionConflict"][..], Conflict),
            (&["TransactionConflict", "None", "None"][..], Conflict),
            (&["None", "None", "ValidationError"][..], Unexpected),
            (&["None", "None"][..], Unexpected),
            (&[][..], Unexpected),
        ] {
            assert_eq!(
                classify_write_cancellation(&reasons(codes)),
                expected,
                "{codes:?}"
            );
        }
    }

    #[test]
    fn sort_keys_of_versions_and_parts() {
        assert_eq!(
            version_event("EVALUATE#2026-11-20T09:00:00.000000Z#0123456789abcdef"),
            Some(ContractFitEvent::DocumentEvaluate)
        );
        assert_eq!(version_event("EVALUATED#x"), None);
        assert_eq!(version_event("TEXT"), None);
        assert_eq!(part_sk("TEXT#ab", 3), "CHUNK#TEXT#ab#00003");
    }

    #[test]
    fn sections_round_trip_through_items_with_their_numbers() {
        let sections = vec![
            Section {
                document_type: "invoice".into(),
                format: Some("5e20372a90d5ab65dd4a017a".into()),
                confidence: NumberText::new("91"),
                page: NumberText::new("0"),
            },
            Section {
                document_type: "letter".into(),
                format: None,
                confidence: NumberText::new("high"),
                page: NumberText::new("-1"),
            },
        ];
        let mut item = Item::new();
        item.insert(
            "sections".into(),
            AttributeValue::L(sections.iter().map(section_attribute).collect()),
        );
        item.insert("received_at".into(), s("2026-11-20T09:00:00.000000Z"));
        let AttributeValue::L(list) = &item["sections"] else {
            unreachable!()
        };
        let AttributeValue::M(first) = &list[0] else {
            unreachable!()
        };
        assert_eq!(first["confidence_value"], AttributeValue::N("91".into()));
        assert_eq!(first["page_value"], AttributeValue::N("0".into()));
        assert_eq!(sections_from_item(&item).unwrap().sections, sections);
    }

    #[test]
    fn unstorable_numbers_are_left_out() {
        assert!(!storable(f64::NAN));
        assert!(!storable(1e300));
        assert!(storable(0.0));
        assert!(storable(91.0));
    }
}
