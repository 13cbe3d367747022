//! The DynamoDB client: in AWS through the default credential chain, locally against
//! DynamoDB Local; always through [`https_client`].

use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::Client;
use tokio::sync::OnceCell;

use crate::https_client;

/// Overrides the DynamoDB endpoint (DynamoDB Local); unset in AWS.
pub const DYNAMODB_ENDPOINT_ENV: &str = "DYNAMODB_ENDPOINT";

/// The AWS SDK configuration every client here is built from, always through
/// [`https_client`]. With an endpoint (DynamoDB Local, a loopback stand-in of another
/// service) it signs with test credentials in `AWS_REGION` (default `us-east-1`); without
/// one it uses the default chain, which on Lambda reads the function role's credentials from
/// the environment.
pub async fn sdk_config(endpoint: Option<&str>) -> aws_config::SdkConfig {
    let loader = aws_config::defaults(BehaviorVersion::latest()).http_client(https_client());
    match endpoint {
        Some(url) => {
            let region = non_empty_env("AWS_REGION").unwrap_or_else(|| "us-east-1".to_owned());
            loader
                .test_credentials()
                .region(Region::new(region))
                .endpoint_url(url)
                .load()
                .await
        }
        None => loader.load().await,
    }
}

/// A DynamoDB client of [`sdk_config`].
pub async fn connect(endpoint: Option<&str>) -> Client {
    Client::new(&sdk_config(endpoint).await)
}

/// The process's DynamoDB client, at `DYNAMODB_ENDPOINT` when set: every store a Lambda
/// binary builds from the environment shares it, so the configuration is loaded once and the
/// first invocation opens (in AWS: handshakes) one connection, not one per store. For a
/// process with one runtime, as a Lambda binary: tests connect with [`connect`].
pub async fn shared_client_from_env() -> Client {
    static CLIENT: OnceCell<Client> = OnceCell::const_new();
    CLIENT
        .get_or_init(|| async { connect(non_empty_env(DYNAMODB_ENDPOINT_ENV).as_deref()).await })
        .await
        .clone()
}

/// An environment variable's value, trimmed; `None` when unset or blank.
pub fn non_empty_env(name: &str) -> Option<String> {
    let value = std::env::var(name).ok()?.trim().to_owned();
    (!value.is_empty()).then_some(value)
}
