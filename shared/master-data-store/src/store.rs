//! Vendor lookups against the master-data table.

use std::collections::HashMap;
use vendor_matching::master_data_unavailable;

use aws_sdk_dynamodb::Client;
use dynamodb_support::{PK, get_item, s, sdk_error};
use tokio::task::JoinSet;
use vendor_matching::{
    Candidate, Lookup, MASTER_DATA, StoreFuture, Unavailable, Vendor, VendorStore, lookup_keys,
    rank_fuzzy_candidates,
};

use crate::item::{PROFILE_SK, vendor_from_item, vendor_pk};

/// How many index items a fuzzy lookup reads per name block, at most. A block of a very
/// common word ("services") can hold a large share of all vendors; reading it whole would
/// make one lookup cost as much as a scan.
pub const DEFAULT_BLOCK_ITEM_LIMIT: usize = 1000;

/// [`VendorStore`] on the master-data table (see the crate documentation for its design).
#[derive(Debug, Clone)]
pub struct DynamoVendorStore {
    client: Client,
    table: String,
    block_item_limit: usize,
}

impl DynamoVendorStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            block_item_limit: DEFAULT_BLOCK_ITEM_LIMIT,
        }
    }

    /// Reads at most `limit` items per fuzzy block instead of [`DEFAULT_BLOCK_ITEM_LIMIT`].
    pub fn with_block_item_limit(mut self, limit: usize) -> Self {
        self.block_item_limit = limit.max(1);
        self
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// The vendor with this id, from its profile item.
    pub async fn get_vendor(&self, vendor_id: &str) -> Result<Option<Vendor>, Unavailable> {
        get_item(
            &self.client,
            MASTER_DATA,
            &self.table,
            &vendor_pk(vendor_id),
            PROFILE_SK,
            false,
        )
        .await?
        .as_ref()
        .map(vendor_from_item)
        .transpose()
    }

    async fn find(&self, lookup: &Lookup) -> Result<Vec<Candidate>, Unavailable> {
        let keys = lookup_keys(lookup);
        let mut found: HashMap<String, Vendor> = HashMap::new();
        match lookup {
            Lookup::FuzzyName { .. } => {
                // Blocks are independent partitions: read them side by side.
                let mut queries = JoinSet::new();
                for key in keys {
                    let (client, table) = (self.client.clone(), self.table.clone());
                    let limit = self.block_item_limit;
                    queries
                        .spawn(async move { query_key(&client, &table, &key, Some(limit)).await });
                }
                while let Some(joined) = queries.join_next().await {
                    let vendors = joined.map_err(|e| {
                        master_data_unavailable(format!(
                            "a fuzzy block query of {:?} failed: {e}",
                            self.table
                        ))
                    })??;
                    for vendor in vendors {
                        found.entry(vendor.vendor_id.clone()).or_insert(vendor);
                    }
                }
            }
            _ => {
                for key in keys {
                    for vendor in query_key(&self.client, &self.table, &key, None).await? {
                        found.entry(vendor.vendor_id.clone()).or_insert(vendor);
                    }
                }
            }
        }
        Ok(match lookup {
            Lookup::FuzzyName { name, threshold } => {
                rank_fuzzy_candidates(name, *threshold, found.into_values())
            }
            _ => {
                let mut vendors: Vec<Vendor> = found.into_values().collect();
                vendors.sort_by(|a, b| a.vendor_id.cmp(&b.vendor_id));
                vendors
                    .into_iter()
                    .map(|vendor| Candidate { vendor, score: 1.0 })
                    .collect()
            }
        })
    }
}

impl VendorStore for DynamoVendorStore {
    fn lookup<'a>(&'a self, lookup: &'a Lookup) -> StoreFuture<'a, Vec<Candidate>> {
        Box::pin(self.find(lookup))
    }
}

/// The vendors of the index items under `key`, every page, or the first `limit` items.
async fn query_key(
    client: &Client,
    table: &str,
    key: &str,
    limit: Option<usize>,
) -> Result<Vec<Vendor>, Unavailable> {
    let mut vendors = Vec::new();
    if limit == Some(0) {
        return Ok(vendors);
    }
    // Pages are read one at a time, when the previous one is used up: nothing is read past
    // the first `limit` items.
    let mut items = client
        .query()
        .table_name(table)
        .key_condition_expression("#pk = :key")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_values(":key", s(key))
        .set_limit(limit.map(|l| i32::try_from(l).unwrap_or(i32::MAX)))
        .into_paginator()
        .items()
        .send();
    while limit.is_none_or(|l| vendors.len() < l) {
        let Some(item) = items
            .try_next()
            .await
            .map_err(|e| sdk_error(MASTER_DATA, "Query", table, e))?
        else {
            break;
        };
        vendors.push(vendor_from_item(&item)?);
    }
    Ok(vendors)
}
