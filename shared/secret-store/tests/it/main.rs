//! Secrets read at run time, through a webhook endpoint's request path, from a loopback
//! stand-in of Secrets Manager's JSON protocol through the real SDK client: the cache and its
//! TTL, the refresh when a delivery fails verification (rate-limited), a rotation without a
//! failed delivery, and an unreachable store (503, never an unverified acceptance).

mod inkit_token;
mod stand_in;

use std::sync::Arc;
use std::time::Duration;

use secret_store::{CachePolicy, CachedVerifier, Part, SecretsManager};
use serde_json::json;
use stand_in::{SECRET_ARN, SecretsManagerStandIn};
use webhook_endpoint::{Endpoint, Verifier, json_response};
use webhook_test_support::{respond, rossum_signature};
use webhook_verify::RossumVerifier;

const BODY: &[u8] = br#"{"action": "changed", "event": "annotation_status", "request_id": "r-1"}"#;

fn policy(ttl_ms: u64, min_refresh_ms: u64) -> CachePolicy {
    CachePolicy {
        ttl: Duration::from_millis(ttl_ms),
        min_refresh: Duration::from_millis(min_refresh_ms),
    }
}

/// A Rossum endpoint that answers 200 to every verified delivery, its secret read from the
/// stand-in. The configured verifier has no secret: only what is read can verify.
async fn endpoint(stand_in: &SecretsManagerStandIn, policy: CachePolicy) -> Endpoint {
    let store = SecretsManager::connect(Some(&stand_in.url)).await;
    let template = Verifier::Rossum(RossumVerifier::new(None));
    let source = CachedVerifier::new(store, SECRET_ARN, Part::Whole, template.clone(), policy);
    Endpoint::new(
        "rossum-annotation-status",
        "/rossum/annotation-status",
        template,
        |_| async { Ok(json_response(200, &json!({"recorded": true}))) },
    )
    .with_verifier_source(Arc::new(source))
}

async fn deliver(endpoint: &Endpoint, secret: &str) -> (u16, Option<String>, serde_json::Value) {
    let signature = rossum_signature(secret, BODY);
    respond(endpoint, &[("x-rossum-signature-sha256", &signature)], BODY).await
}

#[tokio::test]
async fn the_secret_is_read_once_and_used_until_its_ttl() {
    let stand_in = SecretsManagerStandIn::start(r#"{"current": "s1", "previous": ""}"#).await;
    let endpoint = endpoint(&stand_in, policy(60_000, 60_000)).await;
    for _ in 0..5 {
        assert_eq!(deliver(&endpoint, "s1").await.0, 200);
    }
    assert_eq!(stand_in.reads(), 1, "one read for five deliveries");
    assert_eq!(stand_in.malformed(), Vec::<String>::new());

    let short = endpoint_with_ttl(&stand_in, 50).await;
    assert_eq!(deliver(&short, "s1").await.0, 200);
    tokio::time::sleep(Duration::from_millis(80)).await;
    stand_in.put(r#"{"current": "s2"}"#);
    let before = stand_in.reads();
    assert_eq!(
        deliver(&short, "s2").await.0,
        200,
        "read again once the TTL passed"
    );
    assert_eq!(stand_in.reads(), before + 1);
}

async fn endpoint_with_ttl(stand_in: &SecretsManagerStandIn, ttl_ms: u64) -> Endpoint {
    endpoint(stand_in, policy(ttl_ms, 60_000)).await
}

#[tokio::test]
async fn a_rotation_goes_without_a_failed_delivery() {
    let stand_in = SecretsManagerStandIn::start(r#"{"current": "old"}"#).await;
    let endpoint = endpoint(&stand_in, policy(400, 0)).await;
    assert_eq!(deliver(&endpoint, "old").await.0, 200);
    // Step 1: the new secret is put as current, the old one kept as previous. The cache
    // still holds the old set: a delivery with the old secret passes without a read.
    stand_in.put(r#"{"current": "new", "previous": "old"}"#);
    assert_eq!(deliver(&endpoint, "old").await.0, 200);
    assert_eq!(stand_in.reads(), 1);
    // Step 2: the sender switches. The first delivery with the new secret fails against the
    // cached set, which is read again once: accepted, well before the TTL.
    assert_eq!(deliver(&endpoint, "new").await.0, 200);
    assert_eq!(stand_in.reads(), 2);
    // Senders still on the old secret pass as previous; then previous is emptied, and once
    // the cache's TTL has passed the old secret is refused.
    assert_eq!(deliver(&endpoint, "old").await.0, 200);
    stand_in.put(r#"{"current": "new", "previous": ""}"#);
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(deliver(&endpoint, "new").await.0, 200);
    let (status, _, body) = deliver(&endpoint, "old").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("signature_mismatch"))
    );
}

#[tokio::test]
async fn forged_deliveries_refresh_at_most_once_per_interval() {
    let stand_in = SecretsManagerStandIn::start(r#"{"current": "right"}"#).await;
    let endpoint = endpoint(&stand_in, policy(600_000, 60_000)).await;
    assert_eq!(deliver(&endpoint, "right").await.0, 200);
    for _ in 0..20 {
        let (status, _, body) = deliver(&endpoint, "forged").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("signature_mismatch"))
        );
    }
    assert_eq!(
        stand_in.reads(),
        2,
        "the first read, then one refresh for twenty forgeries"
    );
    // Unsigned deliveries ask nothing of the store.
    let (status, _, _) = respond(&endpoint, &[], BODY).await;
    assert_eq!(status, 401);
    assert_eq!(stand_in.reads(), 2);
}

#[tokio::test]
async fn an_unreachable_store_is_503_never_an_unverified_acceptance() {
    let stand_in = SecretsManagerStandIn::start(r#"{"current": "s1"}"#).await;
    stand_in.set_down(true);
    let endpoint = endpoint(&stand_in, policy(600_000, 0)).await;
    let (status, retry_after, body) = deliver(&endpoint, "s1").await;
    assert_eq!(status, 503);
    assert_eq!(retry_after.as_deref(), Some("5"));
    assert_eq!(body["error"], "temporarily_unavailable");
    let (status, _, _) = respond(&endpoint, &[], BODY).await;
    assert_eq!(status, 503, "nothing is verified, so nothing is accepted");
    // Back: read, and used.
    stand_in.set_down(false);
    assert_eq!(deliver(&endpoint, "s1").await.0, 200);
}

#[tokio::test]
async fn a_value_read_before_is_kept_while_the_store_is_down() {
    let stand_in = SecretsManagerStandIn::start(r#"{"current": "s1"}"#).await;
    let endpoint = endpoint(&stand_in, policy(30, 0)).await;
    assert_eq!(deliver(&endpoint, "s1").await.0, 200);
    stand_in.set_down(true);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        deliver(&endpoint, "s1").await.0,
        200,
        "the value read minutes ago stays valid"
    );
    let (status, _, _) = deliver(&endpoint, "forged").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_secret_without_a_current_value_refuses_everything() {
    let stand_in = SecretsManagerStandIn::start(r#"{"current": "", "previous": "old"}"#).await;
    let endpoint = endpoint(&stand_in, policy(600_000, 0)).await;
    let (status, _, body) = deliver(&endpoint, "old").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (500, Some("not_configured"))
    );
}

#[tokio::test]
async fn an_inkit_webhook_uses_its_own_key_of_the_platform_s_secret() {
    let stand_in = SecretsManagerStandIn::start(
        r#"{"DOCUMENT_CREATE_FINISHED": {"current": "finished-key"}, "DOCUMENT_DELETED": {"current": "deleted-key"}}"#,
    )
    .await;
    let store = SecretsManager::connect(Some(&stand_in.url)).await;
    let template = Verifier::Inkit(webhook_verify::InkitVerifier::new(None));
    let source = CachedVerifier::new(
        store,
        SECRET_ARN,
        Part::Key("DOCUMENT_DELETED".into()),
        template.clone(),
        policy(600_000, 0),
    );
    let endpoint = Endpoint::new(
        "inkit-document-deleted",
        "/inkit/document-deleted",
        template,
        |_| async { Ok(json_response(200, &json!({}))) },
    )
    .with_verifier_source(Arc::new(source));
    let signed = |secret: &str| webhook_test_support::inkit_signature(secret, BODY);
    let (status, _, _) = respond(
        &endpoint,
        &[("inkit-signature", &signed("deleted-key"))],
        BODY,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = respond(
        &endpoint,
        &[("inkit-signature", &signed("finished-key"))],
        BODY,
    )
    .await;
    assert_eq!(
        status, 401,
        "another webhook's key does not verify this one"
    );
}
