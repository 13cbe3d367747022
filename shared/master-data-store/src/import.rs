//! Importing a vendor master file into the master-data table.

use std::collections::{HashMap, HashSet};
use std::time::Duration;
use vendor_matching::master_data_unavailable;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest,
};
use backon::{ExponentialBuilder, RetryableWithContext};
use tokio::task::JoinSet;
use vendor_matching::{Unavailable, Vendor, index_keys};

use dynamodb_support::{PK, SK, Unfinished, batch_write_item, s, sdk_error};
use vendor_matching::MASTER_DATA;

use crate::item::{FINGERPRINT, INDEX_KEYS, PROFILE_SK, index_item, profile_item, vendor_pk};

/// Vendors whose profiles one `BatchGetItem` reads (the API's limit).
const READ_CHUNK: usize = 100;
/// Items of one `BatchWriteItem` (the API's limit).
const WRITE_BATCH: usize = 25;
/// `BatchWriteItem` requests in flight at once: enough to hide the round trip, few enough
/// not to provoke throttling on a fresh on-demand table.
const WRITES_IN_FLIGHT: usize = 8;
/// Tries of one batch while DynamoDB leaves items unprocessed (about 16 s of backoff).
const MAX_ATTEMPTS: u32 = 10;
/// The pauses between those tries: 25 ms doubling up to 2.5 s, each lengthened by a random
/// part of up to as much again (so 25-50 ms first, at most 5 s), so that parallel batches do
/// not retry in step.
pub(crate) const BATCH_BACKOFF: ExponentialBuilder = ExponentialBuilder::new()
    .with_jitter()
    .with_min_delay(Duration::from_millis(25))
    .with_max_delay(Duration::from_millis(2_500))
    .with_max_times(MAX_ATTEMPTS as usize - 1);

/// What an import did, one count per vendor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Vendors the table did not have.
    pub inserted: usize,
    /// Vendors whose fields (or index keys) changed: rewritten.
    pub updated: usize,
    /// Vendors stored exactly so already: nothing written.
    pub unchanged: usize,
}

/// What a vendor's profile says was written for it.
struct StoredProfile {
    fingerprint: Option<String>,
    index_keys: Vec<String>,
}

/// Inserts new vendors and rewrites changed ones, 100 at a time; unchanged vendors cost one
/// read and no write, so re-importing a file changes nothing. `progress` is called after each
/// chunk with the number of vendors processed so far (the last call is `vendors.len()`).
///
/// Every vendor is checked first ([`Vendor::validate`], one row per `vendor_id`); a bad one
/// fails the import before anything is written. Vendors missing from `vendors` are kept.
pub async fn import_vendors(
    client: &Client,
    table: &str,
    vendors: &[Vendor],
    progress: &mut dyn FnMut(usize),
) -> Result<ImportSummary, Unavailable> {
    let mut seen = HashSet::with_capacity(vendors.len());
    for vendor in vendors {
        vendor.validate().map_err(|e| {
            master_data_unavailable(format!(
                "vendor {:?} cannot be imported: {e}",
                vendor.vendor_id
            ))
        })?;
        // One BatchGetItem or BatchWriteItem may not name the same item twice.
        if !seen.insert(vendor.vendor_id.as_str()) {
            return Err(master_data_unavailable(format!(
                "vendor_id {:?} appears more than once in the import",
                vendor.vendor_id
            )));
        }
    }

    let mut summary = ImportSummary::default();
    let mut processed = 0;
    for chunk in vendors.chunks(READ_CHUNK) {
        let stored = read_profiles(client, table, chunk).await?;
        let mut index_writes = Vec::new();
        let mut profile_writes = Vec::with_capacity(chunk.len());
        for vendor in chunk {
            let keys = index_keys(vendor);
            let old_keys: &[String] = match stored.get(&vendor.vendor_id) {
                // Keys are compared too, so a change of the normalisation rules re-indexes.
                Some(old)
                    if old.fingerprint.as_deref() == Some(vendor.fingerprint().as_str())
                        && old.index_keys == keys =>
                {
                    summary.unchanged += 1;
                    continue;
                }
                Some(old) => {
                    summary.updated += 1;
                    &old.index_keys
                }
                None => {
                    summary.inserted += 1;
                    &[]
                }
            };
            let sort_key = vendor_pk(&vendor.vendor_id);
            for gone in old_keys.iter().filter(|k| !keys.contains(k)) {
                index_writes.push(delete(gone, &sort_key)?);
            }
            for key in &keys {
                index_writes.push(put(index_item(key, vendor))?);
            }
            profile_writes.push(put(profile_item(vendor, &keys))?);
        }
        // Profiles last: a profile's fingerprint promises that its index items are written.
        write_all(client, table, index_writes, MASTER_DATA).await?;
        write_all(client, table, profile_writes, MASTER_DATA).await?;
        processed += chunk.len();
        progress(processed);
    }
    Ok(summary)
}

/// The profiles of `vendors` that exist, by vendor id (consistent reads, so an import sees
/// what the previous one wrote).
async fn read_profiles(
    client: &Client,
    table: &str,
    vendors: &[Vendor],
) -> Result<HashMap<String, StoredProfile>, Unavailable> {
    let keys = vendors
        .iter()
        .map(|v| {
            HashMap::from([
                (PK.to_owned(), s(vendor_pk(&v.vendor_id))),
                (SK.to_owned(), s(PROFILE_SK)),
            ])
        })
        .collect();
    let read = |(keys, mut profiles): (Vec<_>, HashMap<String, StoredProfile>)| async move {
        let sent = match profile_request(table, keys) {
            Ok(request) => {
                client
                    .batch_get_item()
                    .request_items(table, request)
                    .send()
                    .await
            }
            Err(e) => return ((Vec::new(), profiles), Err(Unfinished::Failed(e))),
        };
        let output = match sent {
            Ok(output) => output,
            Err(e) => {
                let failure = sdk_error(MASTER_DATA, "BatchGetItem", table, e);
                return ((Vec::new(), profiles), Err(Unfinished::Failed(failure)));
            }
        };
        let items = output.responses.and_then(|mut r| r.remove(table));
        for item in items.unwrap_or_default() {
            let Some(id) = item
                .get(PK)
                .and_then(|v| v.as_s().ok())
                .and_then(|pk| pk.strip_prefix("VENDOR#"))
            else {
                continue;
            };
            profiles.insert(id.to_owned(), stored_profile(&item));
        }
        let left = output
            .unprocessed_keys
            .and_then(|mut u| u.remove(table))
            .map(|left| left.keys)
            .unwrap_or_default();
        let read = match left.len() {
            0 => Ok(()),
            n => Err(Unfinished::Left(n)),
        };
        ((left, profiles), read)
    };
    let ((_, profiles), read) = read
        .retry(BATCH_BACKOFF)
        .context((keys, HashMap::with_capacity(vendors.len())))
        .when(Unfinished::is_left)
        .await;
    read.map_err(|e| {
        e.into_unavailable(MASTER_DATA, BATCH_BACKOFF, ("BatchGetItem", table), "keys")
    })?;
    Ok(profiles)
}

/// The consistent read of these profiles' fingerprints and index keys.
fn profile_request(
    table: &str,
    keys: Vec<HashMap<String, AttributeValue>>,
) -> Result<KeysAndAttributes, Unavailable> {
    KeysAndAttributes::builder()
        .set_keys(Some(keys))
        .consistent_read(true)
        .projection_expression("#pk, #fp, #keys")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_names("#fp", FINGERPRINT)
        .expression_attribute_names("#keys", INDEX_KEYS)
        .build()
        .map_err(|e| master_data_unavailable(format!("BatchGetItem request for {table:?}: {e}")))
}

/// A profile missing its fingerprint or keys (written by hand?) reads as "changed".
fn stored_profile(item: &HashMap<String, AttributeValue>) -> StoredProfile {
    StoredProfile {
        fingerprint: item.get(FINGERPRINT).and_then(|v| v.as_s().ok()).cloned(),
        index_keys: item
            .get(INDEX_KEYS)
            .and_then(|v| v.as_l().ok())
            .map(|keys| keys.iter().filter_map(|k| k.as_s().ok().cloned()).collect())
            .unwrap_or_default(),
    }
}

pub(crate) fn put(item: HashMap<String, AttributeValue>) -> Result<WriteRequest, Unavailable> {
    let request = PutRequest::builder()
        .set_item(Some(item))
        .build()
        .map_err(|e| Unavailable::new(MASTER_DATA, format!("put request: {e}")))?;
    Ok(WriteRequest::builder().put_request(request).build())
}

pub(crate) fn delete(pk: &str, sk: &str) -> Result<WriteRequest, Unavailable> {
    let request = DeleteRequest::builder()
        .key(PK, s(pk))
        .key(SK, s(sk))
        .build()
        .map_err(|e| Unavailable::new(MASTER_DATA, format!("delete request: {e}")))?;
    Ok(WriteRequest::builder().delete_request(request).build())
}

/// Writes `requests` in batches of 25, [`WRITES_IN_FLIGHT`] at a time, failing as an
/// [`Unavailable`] of `dependency`. On the first failure the batches still in flight are
/// abandoned (dropping the set aborts them).
pub(crate) async fn write_all(
    client: &Client,
    table: &str,
    requests: Vec<WriteRequest>,
    dependency: &'static str,
) -> Result<(), Unavailable> {
    let mut requests = requests.into_iter().peekable();
    let mut in_flight = JoinSet::new();
    loop {
        while in_flight.len() < WRITES_IN_FLIGHT && requests.peek().is_some() {
            let batch: Vec<WriteRequest> = requests.by_ref().take(WRITE_BATCH).collect();
            in_flight.spawn(write_batch(
                client.clone(),
                table.to_owned(),
                batch,
                dependency,
            ));
        }
        match in_flight.join_next().await {
            None => return Ok(()),
            Some(joined) => joined.map_err(|e| {
                Unavailable::new(
                    dependency,
                    format!("a BatchWriteItem task on {table:?} failed: {e}"),
                )
            })??,
        }
    }
}

/// One `BatchWriteItem`, retrying what DynamoDB leaves unprocessed (it does so when a
/// partition is busy) after [`BATCH_BACKOFF`].
async fn write_batch(
    client: Client,
    table: String,
    batch: Vec<WriteRequest>,
    dependency: &'static str,
) -> Result<(), Unavailable> {
    batch_write_item(&client, &table, batch, BATCH_BACKOFF, dependency).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use backon::BackoffBuilder;

    /// The pause after try `attempt` (from 1), whatever the number of tries.
    fn backoff(attempt: u32) -> Duration {
        BATCH_BACKOFF
            .without_max_times()
            .build()
            .nth(attempt as usize - 1)
            .unwrap()
    }

    #[test]
    fn a_batch_is_tried_max_attempts_times() {
        assert_eq!(BATCH_BACKOFF.build().count(), MAX_ATTEMPTS as usize - 1);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1) <= Duration::from_millis(50));
        assert!(backoff(3) >= Duration::from_millis(100));
        assert!(backoff(30) <= Duration::from_secs(5));
        assert!(backoff(30) >= Duration::from_millis(2_500));
    }
}
