use std::sync::Arc;

use vendor_matching::{UnavailableVendorStore, VendorStore};

use crate::{DynamoVendorStore, connect};

/// The variable naming the master-data table.
pub const VENDOR_TABLE_ENV: &str = "VENDOR_TABLE";
/// Overrides the DynamoDB endpoint (DynamoDB Local); unset in AWS.
pub const DYNAMODB_ENDPOINT_ENV: &str = "DYNAMODB_ENDPOINT";

/// The vendor store a deployed function uses: the table named by `VENDOR_TABLE`. Without it
/// matching reports itself unavailable rather than "no match", and start-up logs why.
pub async fn vendor_store_from_env() -> Arc<dyn VendorStore> {
    match std::env::var(VENDOR_TABLE_ENV)
        .ok()
        .filter(|t| !t.is_empty())
    {
        Some(table) => {
            let endpoint = std::env::var(DYNAMODB_ENDPOINT_ENV)
                .ok()
                .filter(|e| !e.is_empty());
            Arc::new(DynamoVendorStore::new(
                connect(endpoint.as_deref()).await,
                table,
            ))
        }
        None => {
            tracing::error!("{VENDOR_TABLE_ENV} is not set: vendor matching is unavailable");
            Arc::new(UnavailableVendorStore::new(format!(
                "{VENDOR_TABLE_ENV} is not set"
            )))
        }
    }
}
