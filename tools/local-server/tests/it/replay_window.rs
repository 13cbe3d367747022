//! The optional replay window on Rossum's signed `timestamp` (`ROSSUM_MAX_EVENT_AGE_SECONDS`),
//! on every Rossum route as the local server serves them.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use contractfit_store::InMemoryContractFitStore;
use idempotency::InMemoryIdempotencyStore;
use inkit_client::MisconfiguredInkitApi;
use local_server::{Background, Dependencies, endpoints};
use record_store::InMemoryRecordStore;
use serde_json::{Value, json};
use vendor_matching::InMemoryVendorStore;
use webhook_endpoint::Endpoint;
use webhook_test_support::{call, config, inkit_signature, rossum_signature};

const SECRET: &str = "rossum-test-secret";
const INKIT_SECRET: &str = "inkit-test-secret";

fn served(window: Option<&str>) -> Vec<Endpoint> {
    let mut vars = vec![
        ("ROSSUM_HOOK_SECRET", SECRET),
        ("INKIT_WEBHOOK_SECRET", INKIT_SECRET),
    ];
    vars.extend(window.map(|w| ("ROSSUM_MAX_EVENT_AGE_SECONDS", w)));
    let records = Arc::new(InMemoryRecordStore::new());
    let deps = Dependencies::given(Background::InProcess)
        .with_vendors(Arc::new(InMemoryVendorStore::new(Vec::new())))
        .with_records(records.clone())
        .with_inkit_records(records)
        .with_inkit_api(Arc::new(MisconfiguredInkitApi::new("not used")))
        .with_contractfit(Arc::new(InMemoryContractFitStore::new()))
        .with_idempotency(Arc::new(InMemoryIdempotencyStore::new()));
    endpoints(&config(&vars), &deps)
}

fn rossum_routes(endpoints: &[Endpoint]) -> impl Iterator<Item = &Endpoint> {
    endpoints
        .iter()
        .filter(|e| e.route().starts_with("/rossum/"))
}

fn sample(function: &str) -> Value {
    let path = format!(
        "{}/../../events/payloads/{function}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// RFC 3339 (UTC, microseconds, as Rossum writes it) of `now` moved by `offset_seconds`.
fn timestamp(offset_seconds: i64) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let seconds = now.as_secs() as i64 + offset_seconds;
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        now.subsec_micros()
    )
}

/// The route's sample with this `timestamp` (removed when `None`), signed; status and code.
async fn deliver(endpoint: &Endpoint, timestamp: Option<String>) -> (u16, Value) {
    let mut payload = sample(endpoint.function());
    match timestamp {
        Some(time) => payload["timestamp"] = json!(time),
        None => {
            payload.as_object_mut().unwrap().remove("timestamp");
        }
    }
    let body = payload.to_string().into_bytes();
    let signature = rossum_signature(SECRET, &body);
    let (status, answer) = call(
        endpoint,
        &[("x-rossum-signature-sha256", signature.as_str())],
        &body,
    )
    .await;
    (status, answer["error"].clone())
}

#[tokio::test]
async fn off_by_default_a_days_old_delivery_is_handled() {
    for window in [None, Some("0")] {
        for endpoint in rossum_routes(&served(window)) {
            let (status, error) = deliver(endpoint, Some(timestamp(-5 * 86_400))).await;
            assert_eq!(status, 200, "{} {window:?}: {error}", endpoint.route());
            let (status, _) = deliver(endpoint, None).await;
            assert_ne!(status, 401, "{}: no timestamp is read", endpoint.route());
        }
    }
}

#[tokio::test]
async fn with_the_window_on_only_fresh_deliveries_are_handled() {
    let endpoints = served(Some("900"));
    for endpoint in rossum_routes(&endpoints) {
        let route = endpoint.route();
        let (status, error) = deliver(endpoint, Some(timestamp(-60))).await;
        assert_eq!(status, 200, "{route} fresh: {error}");
        for (what, time) in [
            ("older than the window", Some(timestamp(-901))),
            ("an hour ahead", Some(timestamp(3600))),
            ("missing", None),
            ("unreadable", Some("20 Nov 2026".to_owned())),
        ] {
            let (status, error) = deliver(endpoint, time).await;
            assert_eq!(status, 401, "{route} {what}");
            assert_eq!(error, "stale_timestamp", "{route} {what}");
        }
    }
}

#[tokio::test]
async fn a_forged_old_delivery_is_a_signature_mismatch_not_a_stale_one() {
    let endpoints = served(Some("900"));
    let endpoint = rossum_routes(&endpoints).next().unwrap();
    let mut payload = sample(endpoint.function());
    payload["timestamp"] = json!(timestamp(-3600));
    let body = payload.to_string().into_bytes();
    let signature = rossum_signature("another-secret", &body);
    let (status, answer) = call(
        endpoint,
        &[("x-rossum-signature-sha256", signature.as_str())],
        &body,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(answer["error"], "signature_mismatch");
}

#[tokio::test]
async fn other_platforms_are_not_subject_to_the_window() {
    let endpoints = served(Some("900"));
    let deleted = endpoints
        .iter()
        .find(|e| e.function() == "inkit-document-deleted")
        .unwrap();
    let body = serde_json::to_vec(&sample("inkit-document-deleted")).unwrap();
    let signature = inkit_signature(INKIT_SECRET, &body);
    let (status, answer) = call(deleted, &[("inkit-signature", signature.as_str())], &body).await;
    assert_eq!(status, 200, "{answer}");
}
