use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use tokio::sync::OnceCell;
use vendor_matching::{UnavailableVendorStore, VendorStore};

use crate::{DynamoVendorStore, connect};

/// The variable naming the master-data table.
pub const VENDOR_TABLE_ENV: &str = "VENDOR_TABLE";
/// Overrides the DynamoDB endpoint (DynamoDB Local); unset in AWS.
pub const DYNAMODB_ENDPOINT_ENV: &str = "DYNAMODB_ENDPOINT";

/// The process's DynamoDB client, at `DYNAMODB_ENDPOINT` when set: every store a Lambda
/// binary builds from the environment shares it, so the configuration is loaded once and the
/// first invocation opens (in AWS: handshakes) one connection, not one per store. For a
/// process with one runtime, as a Lambda binary: tests connect with [`connect`].
pub async fn shared_client_from_env() -> Client {
    static CLIENT: OnceCell<Client> = OnceCell::const_new();
    CLIENT
        .get_or_init(|| async {
            let endpoint = std::env::var(DYNAMODB_ENDPOINT_ENV)
                .ok()
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty());
            connect(endpoint.as_deref()).await
        })
        .await
        .clone()
}

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
