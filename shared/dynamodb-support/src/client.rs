//! The DynamoDB client and the SDK configuration of every client: in a Lambda binary from
//! what Lambda puts in the environment, in a tool through the default credential chain,
//! locally against DynamoDB Local; always through [`https_client`].

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};
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

/// The configuration of a Lambda binary's clients (DynamoDB, Secrets Manager, EventBridge):
/// the region and the function role's credentials that Lambda puts in the environment
/// (`AWS_REGION`; `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), read
/// lazily and cached by the client. Built by hand rather than by the default chain, which a
/// Lambda function never needs past the environment: its profile files, SSO, IMDS and STS web
/// identity are then not linked into the binaries (0.8 MB each) and no file is read at
/// start-up. Retries, timeouts and stalled-stream protection are the SDK's defaults for
/// [`BehaviorVersion::latest`], as with the chain. With an endpoint (DynamoDB Local, a
/// loopback stand-in) it signs with test credentials, as [`sdk_config`] does, so that the
/// functions and the tools see the same DynamoDB Local tables (it files them by access key).
pub fn lambda_sdk_config(endpoint: Option<&str>) -> SdkConfig {
    let region = non_empty_env("AWS_REGION").unwrap_or_else(|| "us-east-1".to_owned());
    let credentials = match endpoint {
        Some(_) => SharedCredentialsProvider::new(Credentials::new(
            "ANOTREAL",
            "notrealrnrELgWzOk3IfjzDKtFBhDby",
            None,
            None,
            "test credentials",
        )),
        None => SharedCredentialsProvider::new(EnvironmentVariableCredentialsProvider::new()),
    };
    let mut config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(credentials)
        .http_client(https_client());
    config.set_endpoint_url(endpoint.map(str::to_owned));
    config.build()
}

/// A DynamoDB client of [`sdk_config`] (the default chain), for tools and tests.
pub async fn connect(endpoint: Option<&str>) -> Client {
    Client::new(&sdk_config(endpoint).await)
}

/// The process's DynamoDB client ([`lambda_sdk_config`]), at `DYNAMODB_ENDPOINT` when set: every store a Lambda
/// binary builds from the environment shares it, so the configuration is loaded once and the
/// first invocation opens (in AWS: handshakes) one connection, not one per store. For a
/// process with one runtime, as a Lambda binary: tests connect with [`connect`].
pub async fn shared_client_from_env() -> Client {
    static CLIENT: OnceCell<Client> = OnceCell::const_new();
    CLIENT
        .get_or_init(|| async {
            Client::new(&lambda_sdk_config(
                non_empty_env(DYNAMODB_ENDPOINT_ENV).as_deref(),
            ))
        })
        .await
        .clone()
}

/// An environment variable's value, trimmed; `None` when unset or blank.
pub fn non_empty_env(name: &str) -> Option<String> {
    let value = std::env::var(name).ok()?.trim().to_owned();
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::config::ProvideCredentials;

    use super::*;

    #[tokio::test]
    async fn a_lambda_binary_signs_with_the_role_credentials_lambda_puts_in_its_environment() {
        // SAFETY: the only test of this binary that reads these variables.
        unsafe {
            std::env::set_var("AWS_REGION", "eu-central-1");
            std::env::set_var("AWS_ACCESS_KEY_ID", "ASIAFUNCTIONROLE");
            std::env::set_var("AWS_SECRET_ACCESS_KEY", "role-secret");
            std::env::set_var("AWS_SESSION_TOKEN", "role-session");
        }
        let deployed = lambda_sdk_config(None);
        assert_eq!(deployed.region().map(Region::as_ref), Some("eu-central-1"));
        assert_eq!(deployed.endpoint_url(), None);
        let role = deployed
            .credentials_provider()
            .expect("a credentials provider")
            .provide_credentials()
            .await
            .expect("the environment's credentials");
        assert_eq!(role.access_key_id(), "ASIAFUNCTIONROLE");
        assert_eq!(role.session_token(), Some("role-session"));

        // Against DynamoDB Local: the tools' test key, whatever the environment holds.
        let local = lambda_sdk_config(Some("http://127.0.0.1:8000"));
        assert_eq!(local.endpoint_url(), Some("http://127.0.0.1:8000"));
        let test = local
            .credentials_provider()
            .expect("a credentials provider")
            .provide_credentials()
            .await
            .expect("test credentials");
        assert_eq!(test.access_key_id(), "ANOTREAL");
    }
}
