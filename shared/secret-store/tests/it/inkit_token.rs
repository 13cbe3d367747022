//! The Inkit API token read from the Inkit secret: cached, and read again when Inkit refuses
//! it, so a rotated token is used without a redeploy.

use std::time::Duration;

use inkit_client::{InkitApi, InkitError};
use inkit_stand_in::{InkitStandIn, STAND_IN_TOKEN};
use secret_store::{CachePolicy, InkitApiWithStoredToken, SecretsManager};

use crate::stand_in::{SECRET_ARN, SecretsManagerStandIn};

const DOCUMENT: &str = "doc_2N0X2g4f3b1JJU75fqzDZs";

fn secret(token: &str) -> String {
    serde_json::json!({"DOCUMENT_CREATE_FINISHED": {"current": "k"}, "api_token": token})
        .to_string()
}

async fn api(secrets: &SecretsManagerStandIn, inkit: &InkitStandIn) -> InkitApiWithStoredToken {
    let config = inkit.config(Duration::from_millis(500), Duration::from_secs(2));
    let policy = CachePolicy {
        ttl: Duration::from_secs(600),
        min_refresh: Duration::from_millis(0),
    };
    InkitApiWithStoredToken::new(
        SecretsManager::connect(Some(&secrets.url)).await,
        SECRET_ARN,
        config,
        policy,
    )
}

#[tokio::test]
async fn the_token_is_read_from_the_secret_once() {
    let secrets = SecretsManagerStandIn::start(&secret(STAND_IN_TOKEN)).await;
    let inkit = InkitStandIn::start().await;
    let api = api(&secrets, &inkit).await;
    for _ in 0..3 {
        assert_eq!(api.document(DOCUMENT).await.unwrap().id, DOCUMENT);
    }
    assert_eq!(secrets.reads(), 1);
}

#[tokio::test]
async fn a_refused_token_is_read_again_and_a_rotated_one_used() {
    let secrets = SecretsManagerStandIn::start(&secret("revoked-token")).await;
    let inkit = InkitStandIn::start().await;
    let api = api(&secrets, &inkit).await;
    assert!(matches!(
        api.document(DOCUMENT).await,
        Err(InkitError::Unauthorized { status: 401 })
    ));
    secrets.put(&secret(STAND_IN_TOKEN));
    assert_eq!(
        api.document(DOCUMENT).await.unwrap().id,
        DOCUMENT,
        "the rotated token, read after the refusal"
    );
}

#[tokio::test]
async fn an_unreadable_secret_leaves_the_details_pending() {
    let secrets = SecretsManagerStandIn::start(&secret(STAND_IN_TOKEN)).await;
    secrets.set_down(true);
    let inkit = InkitStandIn::start().await;
    let api = api(&secrets, &inkit).await;
    assert!(matches!(
        api.document(DOCUMENT).await,
        Err(InkitError::Unavailable(_))
    ));
    assert_eq!(
        inkit.request_count(),
        0,
        "Inkit is not asked without a token"
    );
}
