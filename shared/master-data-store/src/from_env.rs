use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use dataset_store::{DatasetStore, UnavailableDatasetStore};
use vendor_matching::{UnavailableVendorStore, VendorStore};

use crate::{DynamoDatasetStore, DynamoVendorStore};

/// The variable naming the master-data table.
pub const VENDOR_TABLE_ENV: &str = "VENDOR_TABLE";

/// The vendor store a deployed function uses: the table named by `VENDOR_TABLE`, through
/// `client`. Without it matching reports itself unavailable rather than "no match", and
/// start-up logs why.
pub fn vendor_store_from_env(client: &Client) -> Arc<dyn VendorStore> {
    match std::env::var(VENDOR_TABLE_ENV)
        .ok()
        .filter(|t| !t.is_empty())
    {
        Some(table) => Arc::new(DynamoVendorStore::new(client.clone(), table)),
        None => {
            tracing::error!("{VENDOR_TABLE_ENV} is not set: vendor matching is unavailable");
            Arc::new(UnavailableVendorStore::new(format!(
                "{VENDOR_TABLE_ENV} is not set"
            )))
        }
    }
}

/// The dataset store a deployed function uses: the datasets of the table named by
/// `VENDOR_TABLE` (beside the vendors), through `client`. Without it dataset lookups report
/// themselves unavailable, and start-up logs why.
pub fn dataset_store_from_env(client: &Client) -> Arc<dyn DatasetStore> {
    match std::env::var(VENDOR_TABLE_ENV)
        .ok()
        .filter(|t| !t.is_empty())
    {
        Some(table) => Arc::new(DynamoDatasetStore::new(client.clone(), table)),
        None => {
            tracing::error!("{VENDOR_TABLE_ENV} is not set: dataset matching is unavailable");
            Arc::new(UnavailableDatasetStore::new(format!(
                "{VENDOR_TABLE_ENV} is not set"
            )))
        }
    }
}
