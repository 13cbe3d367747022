//! The built Lambda binary, started as Lambda starts it, answering a signed delivery wrapped
//! in an API Gateway HTTP API (v2) event, with DynamoDB Local as its records table and the
//! Inkit stand-in as the Inkit API.

use super::common;

use common::{RESOURCE_ID, api_gateway_event, document_of, finished, records_table, signature};
use inkit_stand_in::{InkitStandIn, Reply, STAND_IN_TOKEN};
use serde_json::json;
use webhook_test_support::binary::{start, start_with_records_table};
use webhook_test_support::invoke;

use crate::support::{DEVELOPMENT_SECRET, SECRET_VAR};

const BINARY: &str = env!("CARGO_BIN_EXE_inkit-document-create-finished");
const NAME: &str = inkit_functions::DOCUMENT_CREATE_FINISHED.name;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_answers_200_with_the_details_pending_while_inkit_hangs_and_refuses_a_forgery() {
    let records = records_table("binary").await;
    let stand_in = InkitStandIn::start().await;
    // Every fetch hangs past the attempt timeout: the details stay pending.
    stand_in.by_default(Reply::Hang);
    let api_url = stand_in.base_url();
    let inkit = [
        ("INKIT_API_URL", api_url.as_str()),
        ("INKIT_API_TOKEN", STAND_IN_TOKEN),
        ("INKIT_API_TIMEOUT_MS", "300"),
        ("INKIT_API_DEADLINE_MS", "400"),
    ];
    let (api, process) =
        start_with_records_table(BINARY, NAME, SECRET_VAR, &records.name, &inkit).await;
    let event = api_gateway_event(&finished(), DEVELOPMENT_SECRET);
    let (status, body) = invoke(&api, &event).await;
    assert_eq!(status, 200, "{body}");
    let pending = json!({"recorded": true, "duplicate": false, "details": "pending"});
    assert_eq!(body, pending);
    // A redelivery gets the stored answer; the details are the worker's to complete.
    let (status, body) = invoke(&api, &event).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, pending);

    let (status, body) = invoke(&api, &api_gateway_event(&finished(), "forged")).await;
    assert_eq!(status, 401, "{body}");

    let document = document_of(&*records.store, false).await;
    assert_eq!(document.details_unavailable, None);
    // The event, the document and the idempotency record of the delivery.
    assert_eq!(records.item_count().await, 3);
    assert!(stand_in.received().iter().all(|r| r.authorized));

    let logs = process.stop();
    assert!(
        !logs.contains(STAND_IN_TOKEN),
        "the API token is never logged: {logs}"
    );
    assert!(!logs.contains(&signature(DEVELOPMENT_SECRET, &finished())));
    records.drop_table().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_records_table_deliveries_are_refused_with_503() {
    let stand_in = InkitStandIn::start().await;
    let api_url = stand_in.base_url();
    let (api, process) = start(BINARY, NAME, &[SECRET_VAR, ("INKIT_API_URL", &api_url)]).await;
    let (status, body) = invoke(&api, &api_gateway_event(&finished(), DEVELOPMENT_SECRET)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(stand_in.request_count(), 0);
    let logs = process.stop();
    assert!(logs.contains("RECORDS_TABLE is not set"), "{logs}");
    assert!(logs.contains("INKIT_API_TOKEN is not set"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unusable_inkit_url_keeps_the_event_with_the_details_pending_and_says_why_at_start() {
    let records = records_table("misconfigured").await;
    let inkit = [
        // Plain http to a remote host would send the token in clear: refused.
        ("INKIT_API_URL", "http://api.inkit.example/v1"),
        ("INKIT_API_TOKEN", STAND_IN_TOKEN),
    ];
    let (api, process) =
        start_with_records_table(BINARY, NAME, SECRET_VAR, &records.name, &inkit).await;
    let (status, body) = invoke(&api, &api_gateway_event(&finished(), DEVELOPMENT_SECRET)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["details"], "pending");
    let events = records.store.inkit_events(RESOURCE_ID).await.unwrap();
    assert_eq!(events.len(), 1);
    let logs = process.stop();
    assert!(logs.contains("not loopback"), "{logs}");
    assert!(
        logs.contains("hands them to inkit-document-details"),
        "the handover is logged: {logs}"
    );
    assert!(!logs.contains(STAND_IN_TOKEN), "{logs}");
    records.drop_table().await;
}
