//! Importing a dataset file into the master-data table: MDH's replace, update by keys,
//! replace by keys and delete by keys.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, WriteRequest};
use dataset_store::{DATASETS, DatasetInfo, IndexSpec, Unavailable};
use dynamodb_support::{Item, PK, SK, condition_failed, get_item, n, s, sdk_error};
use serde_json::Value;
use tokio::task::JoinSet;

use super::item::{
    FINGERPRINT, GENERATION, HEAD_SK, Head, INDEX_PKS, KEY_FIELDS, Layout, MAX_POSITION,
    NEXT_POSITION, PendingGeneration, PreparedRecord, RECORD, RECORDS, RETIRED_PREFIX,
    UNFINISHED_PREFIX, buckets_below, check_dataset_name, fingerprint_of, head_from_item, head_pk,
    info_attributes, position_sk, profile_item, profile_pk, record_item, unavailable,
};
use super::lookup::{QUERIES_IN_FLIGHT, query_items};
use crate::import::{delete, put, write_all};

/// Records written per step of an import (and per call of its progress callback).
const RECORDS_PER_STEP: usize = 500;
/// How long a replaced generation stays readable by default: longer than any delivery that
/// described the dataset before the switch takes, plus the lookup store's head cache.
pub const DEFAULT_GRACE_PERIOD: Duration = Duration::from_secs(60);

/// MDH's import operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetImportMode {
    /// The whole dataset becomes the file's records, switched to at once.
    Replace,
    /// Records matching a file record's key take its content, the file's other records are
    /// appended, every other record is kept.
    UpdateByKeys,
    /// As [`UpdateByKeys`](Self::UpdateByKeys), and records whose key is not in the file
    /// are deleted.
    ReplaceByKeys,
    /// Records matching a file record's key are deleted.
    DeleteByKeys,
}

impl DatasetImportMode {
    pub fn by_keys(self) -> bool {
        self != Self::Replace
    }
}

/// What to import, and how.
#[derive(Debug, Clone)]
pub struct DatasetImport {
    pub name: String,
    pub mode: DatasetImportMode,
    /// For a replace, the new generation's equality indexes; the other modes keep the
    /// dataset's (given, they must be the same).
    pub indexes: Vec<IndexSpec>,
    /// For a replace, the fields indexed for fuzzy lookups; as `indexes` otherwise.
    pub fuzzy_fields: Vec<String>,
    /// The key fields of the by-keys modes (`--key`), as one index specification.
    pub key: Option<IndexSpec>,
    /// How long a replaced generation stays readable before it is deleted.
    pub grace_period: Duration,
}

impl DatasetImport {
    pub fn new(name: impl Into<String>, mode: DatasetImportMode) -> Self {
        Self {
            name: name.into(),
            mode,
            indexes: Vec::new(),
            fuzzy_fields: Vec::new(),
            key: None,
            grace_period: DEFAULT_GRACE_PERIOD,
        }
    }
}

/// A record the import left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRecord {
    /// Its place among the records given (from 0).
    pub index: usize,
    pub reason: String,
}

/// What an import did, one count per record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatasetImportSummary {
    /// Records the dataset did not have (a replace: every record written).
    pub inserted: usize,
    /// Records whose content changed: rewritten.
    pub updated: usize,
    /// Records stored exactly so already (and, deleting by keys, keys matching no record):
    /// nothing written.
    pub unchanged: usize,
    /// Records removed (a replace: the replaced generation's).
    pub deleted: usize,
    pub rejected: Vec<RejectedRecord>,
}

/// Imports `records` (in file order) into the dataset as `import` says; `progress` is called
/// with the number of records processed so far (the last call is `records.len()`).
///
/// Records that cannot be stored (a key too long, a record too large; by keys: no key, a key
/// given twice) are rejected and reported; the others are imported. Re-importing the same
/// file writes nothing.
pub async fn import_dataset(
    client: &Client,
    table: &str,
    import: &DatasetImport,
    records: &[Value],
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<DatasetImportSummary, Unavailable> {
    check_dataset_name(&import.name).map_err(unavailable)?;
    let summary = match import.mode {
        DatasetImportMode::Replace => replace(client, table, import, records, progress).await?,
        _ => by_keys(client, table, import, records, progress).await?,
    };
    progress(records.len());
    Ok(summary)
}

/// Deletes the dataset: its head and every generation it lists.
pub async fn delete_dataset(client: &Client, table: &str, name: &str) -> Result<bool, Unavailable> {
    check_dataset_name(name).map_err(unavailable)?;
    let Some(head) = read_head(client, table, name).await? else {
        return Ok(false);
    };
    let mut generations: Vec<PendingGeneration> = head
        .unfinished
        .iter()
        .chain(&head.retired)
        .cloned()
        .collect();
    if let Some(info) = &head.info {
        generations.push(PendingGeneration {
            generation: info.generation.clone(),
            positions: head.next_position,
            at: 0,
        });
    }
    // The head first: readers stop finding the dataset before its records go.
    client
        .delete_item()
        .table_name(table)
        .key(PK, s(head_pk(name)))
        .key(SK, s(HEAD_SK))
        .send()
        .await
        .map_err(|e| sdk_error(DATASETS, "DeleteItem", table, e))?;
    for pending in generations {
        delete_generation(client, table, name, &pending.generation, pending.positions).await?;
    }
    Ok(true)
}

async fn replace(
    client: &Client,
    table: &str,
    import: &DatasetImport,
    records: &[Value],
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<DatasetImportSummary, Unavailable> {
    let indexes = distinct(import.indexes.clone());
    let fuzzy_fields = distinct(import.fuzzy_fields.clone());
    let generation = new_generation();
    let layout = Layout {
        name: &import.name,
        generation: &generation,
        indexes: &indexes,
        fuzzy_fields: &fuzzy_fields,
    };
    let mut summary = DatasetImportSummary::default();
    let mut accepted: Vec<(usize, PreparedRecord)> = Vec::with_capacity(records.len());
    for (index, record) in records.iter().enumerate() {
        match layout.prepare(record) {
            Ok(prepared) => accepted.push((index, prepared)),
            Err(reason) => summary.rejected.push(RejectedRecord { index, reason }),
        }
    }
    if accepted.len() as u64 > MAX_POSITION {
        return Err(unavailable(format!(
            "dataset {:?}: at most {MAX_POSITION} records",
            import.name
        )));
    }
    // The content as lookups see it: the layout and every record in order, not the
    // generation's name (which is new on every run).
    let layout_text = format!("{indexes:?}{fuzzy_fields:?}");
    let content = fingerprint_of(
        std::iter::once(layout_text.as_bytes())
            .chain(accepted.iter().map(|(_, r)| r.fingerprint.as_bytes())),
    );

    let head = read_head(client, table, &import.name).await?;
    let old = head.as_ref().and_then(|h| h.info.clone());
    if let Some(head) = &head {
        clean_up(client, table, &import.name, head, import.grace_period).await?;
        if old.is_some() && head.fingerprint.as_deref() == Some(content.as_str()) {
            summary.unchanged = accepted.len();
            return Ok(summary);
        }
    }

    let unfinished = format!("{UNFINISHED_PREFIX}{generation}");
    let entry = PendingGeneration {
        generation: generation.clone(),
        positions: accepted.len() as u64,
        at: unix_seconds(),
    };
    // Listed before anything is written, so an interrupted replace is cleaned up by the next.
    client
        .update_item()
        .table_name(table)
        .key(PK, s(head_pk(&import.name)))
        .key(SK, s(HEAD_SK))
        .update_expression("SET #u = :entry")
        .expression_attribute_names("#u", &unfinished)
        .expression_attribute_values(":entry", entry.attribute())
        .send()
        .await
        .map_err(|e| sdk_error(DATASETS, "UpdateItem", table, e))?;

    for (step, chunk) in accepted.chunks(RECORDS_PER_STEP).enumerate() {
        let mut profiles = Vec::with_capacity(chunk.len());
        let mut items = Vec::new();
        for (offset, (_, record)) in chunk.iter().enumerate() {
            let position = (step * RECORDS_PER_STEP + offset) as u64;
            // A new generation's profiles go first: they list the items a clean-up deletes.
            profiles.push(put(profile_item(
                &import.name,
                &generation,
                position,
                record,
            ))?);
            for pk in &record.index_pks {
                items.push(put(record_item(pk, position, &record.json))?);
            }
        }
        write_all(client, table, profiles, DATASETS).await?;
        write_all(client, table, items, DATASETS).await?;
        progress(chunk.last().map_or(0, |(index, _)| index + 1));
    }

    let info = DatasetInfo {
        name: import.name.clone(),
        generation: generation.clone(),
        indexes,
        fuzzy_fields,
        records: accepted.len() as u64,
    };
    let mut names = HashMap::from([("#u".to_owned(), unfinished.clone())]);
    let mut values = HashMap::from([
        (":next".to_owned(), n(accepted.len())),
        (":fp".to_owned(), s(&content)),
    ]);
    let mut set = vec!["#next = :next".to_owned(), "#fp = :fp".to_owned()];
    names.insert("#next".to_owned(), NEXT_POSITION.to_owned());
    names.insert("#fp".to_owned(), FINGERPRINT.to_owned());
    for (i, (attribute, value)) in info_attributes(&info).into_iter().enumerate() {
        names.insert(format!("#i{i}"), attribute.to_owned());
        values.insert(format!(":i{i}"), value);
        set.push(format!("#i{i} = :i{i}"));
    }
    names.insert("#gen".to_owned(), GENERATION.to_owned());
    let condition = match &old {
        Some(old_info) => {
            let retired = PendingGeneration {
                generation: old_info.generation.clone(),
                positions: head.as_ref().map_or(0, |h| h.next_position),
                at: unix_seconds(),
            };
            names.insert(
                "#r".to_owned(),
                format!("{RETIRED_PREFIX}{}", old_info.generation),
            );
            values.insert(":retired".to_owned(), retired.attribute());
            values.insert(":old".to_owned(), s(&old_info.generation));
            set.push("#r = :retired".to_owned());
            "#gen = :old AND attribute_exists(#u)"
        }
        None => "attribute_not_exists(#gen) AND attribute_exists(#u)",
    };
    // The switch: one conditional write, so readers see the old generation or the new one.
    let switched = client
        .update_item()
        .table_name(table)
        .key(PK, s(head_pk(&import.name)))
        .key(SK, s(HEAD_SK))
        .update_expression(format!("SET {} REMOVE #u, #keys", set.join(", ")))
        .condition_expression(condition)
        .set_expression_attribute_names(Some(names))
        .expression_attribute_names("#keys", KEY_FIELDS)
        .set_expression_attribute_values(Some(values))
        .send()
        .await;
    if let Err(e) = switched {
        if condition_failed(&e) {
            return Err(unavailable(format!(
                "dataset {:?} was changed by another import while this replace ran: the \
                 replace is not visible (run it again)",
                import.name
            )));
        }
        return Err(sdk_error(DATASETS, "UpdateItem", table, e));
    }
    summary.inserted = accepted.len();

    if let Some(old_info) = old {
        summary.deleted = old_info.records as usize;
        // Deliveries that described the dataset before the switch read the old generation
        // until they end.
        tokio::time::sleep(import.grace_period).await;
        let positions = head.as_ref().map_or(0, |h| h.next_position);
        retire(
            client,
            table,
            &import.name,
            &old_info.generation,
            positions,
            RETIRED_PREFIX,
        )
        .await?;
    }
    Ok(summary)
}

/// Deletes the generations an earlier replace left: unfinished ones, and replaced ones whose
/// grace period is over. Assumes one import of a dataset at a time; a replace running
/// beside it loses its switch rather than mixing generations.
async fn clean_up(
    client: &Client,
    table: &str,
    name: &str,
    head: &Head,
    grace_period: Duration,
) -> Result<(), Unavailable> {
    for pending in &head.unfinished {
        retire(
            client,
            table,
            name,
            &pending.generation,
            pending.positions,
            UNFINISHED_PREFIX,
        )
        .await?;
    }
    let now = unix_seconds();
    for pending in &head.retired {
        if pending.at.saturating_add(grace_period.as_secs()) <= now {
            retire(
                client,
                table,
                name,
                &pending.generation,
                pending.positions,
                RETIRED_PREFIX,
            )
            .await?;
        }
    }
    Ok(())
}

/// Unlists the generation from the head (`prefix`: as unfinished or retired), then deletes
/// its items.
async fn retire(
    client: &Client,
    table: &str,
    name: &str,
    generation: &str,
    positions: u64,
    prefix: &str,
) -> Result<(), Unavailable> {
    client
        .update_item()
        .table_name(table)
        .key(PK, s(head_pk(name)))
        .key(SK, s(HEAD_SK))
        .update_expression("REMOVE #p")
        .expression_attribute_names("#p", format!("{prefix}{generation}"))
        .send()
        .await
        .map_err(|e| sdk_error(DATASETS, "UpdateItem", table, e))?;
    delete_generation(client, table, name, generation, positions).await
}

/// Deletes every item of a generation whose positions are below `positions`: each
/// profile's index and fuzzy items, then the profiles.
async fn delete_generation(
    client: &Client,
    table: &str,
    name: &str,
    generation: &str,
    positions: u64,
) -> Result<(), Unavailable> {
    for bucket in 0..buckets_below(positions) {
        let pk = profile_pk(name, generation, bucket);
        let profiles = query_items(client, table, &pk, None, true).await?;
        let mut items = Vec::new();
        let mut profile_deletes = Vec::with_capacity(profiles.len());
        for profile in &profiles {
            let stored = StoredProfile::read(profile)?;
            let sk = position_sk(stored.position);
            for index_pk in &stored.index_pks {
                items.push(delete(index_pk, &sk)?);
            }
            profile_deletes.push(delete(&pk, &sk)?);
        }
        write_all(client, table, items, DATASETS).await?;
        write_all(client, table, profile_deletes, DATASETS).await?;
    }
    Ok(())
}

/// A record as its profile stores it.
struct StoredProfile {
    position: u64,
    fingerprint: String,
    record: Value,
    index_pks: Vec<String>,
}

impl StoredProfile {
    fn read(item: &Item) -> Result<Self, Unavailable> {
        let read = dynamodb_support::Attributes::of(DATASETS, item);
        let sk = read.required_text(SK)?;
        let position = sk
            .parse()
            .map_err(|_| read.error(format!("profile sk {sk:?} is not a position")))?;
        let record = match read.text(RECORD)? {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| read.error(format!("profile {sk}: the record is not JSON: {e}")))?,
            None => Value::Null,
        };
        let index_pks = match item.get(INDEX_PKS) {
            Some(AttributeValue::L(pks)) => pks
                .iter()
                .filter_map(|pk| pk.as_s().ok().cloned())
                .collect(),
            _ => Vec::new(),
        };
        Ok(Self {
            position,
            // A profile missing its fingerprint (written by hand?) reads as "changed".
            fingerprint: read.text(FINGERPRINT)?.unwrap_or_default(),
            record,
            index_pks,
        })
    }
}

/// Every profile of the generation, in position order: the buckets read
/// [`QUERIES_IN_FLIGHT`] at a time, strongly consistent.
async fn load_profiles(
    client: &Client,
    table: &str,
    name: &str,
    generation: &str,
    positions: u64,
) -> Result<Vec<StoredProfile>, Unavailable> {
    let mut buckets = 0..buckets_below(positions);
    let mut in_flight = JoinSet::new();
    let mut profiles = Vec::new();
    loop {
        while in_flight.len() < QUERIES_IN_FLIGHT {
            let Some(bucket) = buckets.next() else { break };
            let (client, table) = (client.clone(), table.to_owned());
            let pk = profile_pk(name, generation, bucket);
            in_flight.spawn(async move { query_items(&client, &table, &pk, None, true).await });
        }
        let Some(joined) = in_flight.join_next().await else {
            break;
        };
        let items = joined
            .map_err(|e| unavailable(format!("a profile query of {table:?} failed: {e}")))??;
        for item in &items {
            profiles.push(StoredProfile::read(item)?);
        }
    }
    profiles.sort_by_key(|p| p.position);
    Ok(profiles)
}

async fn by_keys(
    client: &Client,
    table: &str,
    import: &DatasetImport,
    records: &[Value],
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<DatasetImportSummary, Unavailable> {
    let name = &import.name;
    let key = import.key.as_ref().ok_or_else(|| {
        unavailable(format!(
            "dataset {name:?}: updating or deleting by keys needs key fields (--key)"
        ))
    })?;
    let missing = || {
        unavailable(format!(
            "dataset {name:?} does not exist: import it with the replace mode first"
        ))
    };
    let head = read_head(client, table, name).await?.ok_or_else(missing)?;
    let info = head.info.clone().ok_or_else(missing)?;
    let same = |given: &[String], stored: &[String]| {
        given.is_empty() || distinct(given.to_vec()) == stored
    };
    let given_indexes: Vec<String> = import.indexes.iter().map(ToString::to_string).collect();
    let stored_indexes: Vec<String> = info.indexes.iter().map(ToString::to_string).collect();
    if !same(&given_indexes, &stored_indexes) || !same(&import.fuzzy_fields, &info.fuzzy_fields) {
        return Err(unavailable(format!(
            "dataset {name:?} is indexed by {stored_indexes:?} (fuzzy: {:?}): only a replace \
             changes its indexes",
            info.fuzzy_fields
        )));
    }
    let layout = Layout {
        name,
        generation: &info.generation,
        indexes: &info.indexes,
        fuzzy_fields: &info.fuzzy_fields,
    };

    let stored = load_profiles(client, table, name, &info.generation, head.next_position).await?;
    let mut stored_by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, profile) in stored.iter().enumerate() {
        if let Some(k) = key.key_of(&profile.record) {
            stored_by_key.entry(k).or_default().push(i);
        }
    }

    let mut summary = DatasetImportSummary::default();
    // (record index, its key, the record prepared for writing unless deleting)
    let mut wanted: Vec<(usize, String, Option<PreparedRecord>)> = Vec::new();
    let mut first_with_key: HashMap<String, usize> = HashMap::new();
    for (index, record) in records.iter().enumerate() {
        let Some(k) = key.key_of(record) else {
            summary.rejected.push(RejectedRecord {
                index,
                reason: format!("no value for the key {key} (missing, or a list or an object)"),
            });
            continue;
        };
        if let Some(first) = first_with_key.get(&k) {
            summary.rejected.push(RejectedRecord {
                index,
                reason: format!("its key {key} is also the key of record {}", first + 1),
            });
            continue;
        }
        // Listed even if rejected below: replacing by keys keeps what a rejected row names.
        first_with_key.insert(k.clone(), index);
        let prepared = if import.mode == DatasetImportMode::DeleteByKeys {
            None
        } else {
            match layout.prepare(record) {
                Ok(prepared) => Some(prepared),
                Err(reason) => {
                    summary.rejected.push(RejectedRecord { index, reason });
                    continue;
                }
            }
        };
        wanted.push((index, k, prepared));
    }

    let mut next_position = head.next_position;
    let appended = wanted
        .iter()
        .filter(|(_, k, p)| p.is_some() && !stored_by_key.contains_key(k))
        .count() as u64;
    if next_position + appended > MAX_POSITION {
        return Err(unavailable(format!(
            "dataset {name:?}: at most {MAX_POSITION} positions"
        )));
    }
    let mut remaining = info.records as i64;
    let mut wrote = false;
    if appended > 0 {
        // Claimed before the records are written, so positions an interrupted import used
        // are never given to other records and stay within reach of a clean-up.
        claim_positions(
            client,
            table,
            name,
            &info.generation,
            next_position,
            appended,
        )
        .await?;
        wrote = true;
    }

    let mut steps = wanted.chunks(RECORDS_PER_STEP).peekable();
    while let Some(step) = steps.next() {
        let mut items = Vec::new();
        let mut profiles = Vec::new();
        for (_, k, prepared) in step {
            let matches = stored_by_key.get(k).map_or(&[][..], Vec::as_slice);
            let Some(prepared) = prepared else {
                if matches.is_empty() {
                    summary.unchanged += 1;
                }
                for &i in matches {
                    remove_record(
                        name,
                        &info.generation,
                        &stored[i],
                        &mut items,
                        &mut profiles,
                    )?;
                    summary.deleted += 1;
                    remaining -= 1;
                }
                continue;
            };
            if matches.is_empty() {
                let position = next_position;
                next_position += 1;
                write_record(
                    name,
                    &info.generation,
                    position,
                    prepared,
                    &[],
                    &mut items,
                    &mut profiles,
                )?;
                summary.inserted += 1;
                remaining += 1;
                continue;
            }
            for &i in matches {
                let old = &stored[i];
                if old.fingerprint == prepared.fingerprint && old.index_pks == prepared.index_pks {
                    summary.unchanged += 1;
                    continue;
                }
                write_record(
                    name,
                    &info.generation,
                    old.position,
                    prepared,
                    &old.index_pks,
                    &mut items,
                    &mut profiles,
                )?;
                summary.updated += 1;
            }
        }
        wrote |= !items.is_empty() || !profiles.is_empty();
        // Index items before profiles: a profile's fingerprint promises its items are written
        // (an interrupted import redoes that record), and a deleted record's items go before
        // the profile that lists them.
        write_all(client, table, items, DATASETS).await?;
        write_all(client, table, profiles, DATASETS).await?;
        if steps.peek().is_some() {
            progress(step.last().map_or(0, |(index, _, _)| index + 1));
        }
    }

    if import.mode == DatasetImportMode::ReplaceByKeys {
        let mut items = Vec::new();
        let mut profiles = Vec::new();
        for profile in &stored {
            let kept = key
                .key_of(&profile.record)
                .is_some_and(|k| first_with_key.contains_key(&k));
            if !kept {
                remove_record(name, &info.generation, profile, &mut items, &mut profiles)?;
                summary.deleted += 1;
                remaining -= 1;
            }
        }
        wrote |= !items.is_empty();
        write_all(client, table, items, DATASETS).await?;
        write_all(client, table, profiles, DATASETS).await?;
    }

    if wrote {
        let updated = client
            .update_item()
            .table_name(table)
            .key(PK, s(head_pk(name)))
            .key(SK, s(HEAD_SK))
            .update_expression("SET #records = :records, #keys = :keys REMOVE #fp")
            .condition_expression("#gen = :gen")
            .expression_attribute_names("#records", RECORDS)
            .expression_attribute_names("#keys", KEY_FIELDS)
            .expression_attribute_names("#fp", FINGERPRINT)
            .expression_attribute_names("#gen", GENERATION)
            .expression_attribute_values(":records", n(remaining.max(0)))
            .expression_attribute_values(
                ":keys",
                AttributeValue::L(key.fields().iter().map(s).collect()),
            )
            .expression_attribute_values(":gen", s(&info.generation))
            .send()
            .await;
        match updated {
            Ok(_) => {}
            Err(e) if condition_failed(&e) => {
                return Err(unavailable(format!(
                    "dataset {name:?} was replaced while this import ran: run it again"
                )));
            }
            Err(e) => return Err(sdk_error(DATASETS, "UpdateItem", table, e)),
        }
    }
    Ok(summary)
}

/// Raises the head's `next_position` from `from` by `count`, unless another import did.
async fn claim_positions(
    client: &Client,
    table: &str,
    name: &str,
    generation: &str,
    from: u64,
    count: u64,
) -> Result<(), Unavailable> {
    let claimed = client
        .update_item()
        .table_name(table)
        .key(PK, s(head_pk(name)))
        .key(SK, s(HEAD_SK))
        .update_expression("SET #next = :next")
        .condition_expression("#gen = :gen AND #next = :from")
        .expression_attribute_names("#next", NEXT_POSITION)
        .expression_attribute_names("#gen", GENERATION)
        .expression_attribute_values(":next", n(from + count))
        .expression_attribute_values(":from", n(from))
        .expression_attribute_values(":gen", s(generation))
        .send()
        .await;
    match claimed {
        Ok(_) => Ok(()),
        Err(e) if condition_failed(&e) => Err(unavailable(format!(
            "dataset {name:?} was changed by another import while this one ran: run it again"
        ))),
        Err(e) => Err(sdk_error(DATASETS, "UpdateItem", table, e)),
    }
}

/// The writes of `record` at `position`: its index and fuzzy items (deleting those of
/// `old_pks` it no longer has) into `items`, its profile into `profiles`.
fn write_record(
    name: &str,
    generation: &str,
    position: u64,
    record: &PreparedRecord,
    old_pks: &[String],
    items: &mut Vec<WriteRequest>,
    profiles: &mut Vec<WriteRequest>,
) -> Result<(), Unavailable> {
    let sk = position_sk(position);
    for gone in old_pks.iter().filter(|pk| !record.index_pks.contains(pk)) {
        items.push(delete(gone, &sk)?);
    }
    for pk in &record.index_pks {
        items.push(put(record_item(pk, position, &record.json))?);
    }
    profiles.push(put(profile_item(name, generation, position, record))?);
    Ok(())
}

/// The deletes of a stored record: its items into `items`, its profile into `profiles`.
fn remove_record(
    name: &str,
    generation: &str,
    profile: &StoredProfile,
    items: &mut Vec<WriteRequest>,
    profiles: &mut Vec<WriteRequest>,
) -> Result<(), Unavailable> {
    let sk = position_sk(profile.position);
    for pk in &profile.index_pks {
        items.push(delete(pk, &sk)?);
    }
    let bucket = super::item::bucket_of(profile.position);
    profiles.push(delete(&profile_pk(name, generation, bucket), &sk)?);
    Ok(())
}

/// The dataset's head, read strongly consistent.
pub(crate) async fn read_head(
    client: &Client,
    table: &str,
    name: &str,
) -> Result<Option<Head>, Unavailable> {
    get_item(client, DATASETS, table, &head_pk(name), HEAD_SK, true)
        .await?
        .map(|item| head_from_item(name, &item))
        .transpose()
}

/// `items` without repeats, in first-seen order.
fn distinct<T: Clone + Eq + std::hash::Hash>(items: Vec<T>) -> Vec<T> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .filter(|i| seen.insert(i.clone()))
        .collect()
}

/// A generation name no other replace uses: the time, the process and a counter.
fn new_generation() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!(
        "{millis}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
