//! The behaviour every contract.fit endpoint must show, written once; each function's module
//! runs every check as a test of its own.

use std::path::Path;
use std::sync::Arc;

use contractfit_functions::Settings;
use contractfit_store::{ContractFitStore, InMemoryContractFitStore, UnavailableContractFitStore};
use lambda_runtime_stub::RuntimeApi;
use serde_json::json;
use webhook_model::contractfit::ContractFitEvent;
use webhook_test_support::{api_gateway_event, bearer, dynamodb_endpoint, invoke};

use super::{
    Answer, DEVELOPMENT_TOKEN, FunctionUnderTest, ORGANIZATION, TOKEN, authorised, call,
    contractfit_table,
};

fn assert_refused(answer: &Answer, status: u16, code: &str) {
    assert_eq!(answer.status, status, "{:?}", answer.body);
    assert_eq!(answer.body["error"], code, "{:?}", answer.body);
    assert_eq!(answer.body["messages"][0]["type"], "error");
}

async fn nothing_stored(store: &InMemoryContractFitStore, f: &FunctionUnderTest) {
    assert_eq!(store.load(&f.document_id()).await.unwrap(), None);
}

/// The sample delivery is stored and answered 200; the same delivery again gets the
/// same answer and changes nothing, and so does one the store alone de-duplicates (its
/// idempotency record gone, say expired).
pub async fn stores_its_event_once(f: &FunctionUnderTest) {
    let store = Arc::new(InMemoryContractFitStore::new());
    let endpoint = f.endpoint(store.clone());
    let first = authorised(&endpoint, f.payload).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(
        first.body,
        json!({"event": f.function.event.as_str(), "document_id": f.document_id().as_str(),
               "outcome": "stored", "stored": true})
    );
    let stored = store.load(&f.document_id()).await.unwrap().expect("stored");
    let again = authorised(&endpoint, f.payload).await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.body, first.body, "the stored answer is replayed");
    assert_eq!(
        store.load(&f.document_id()).await.unwrap(),
        Some(stored.clone())
    );

    let without_its_record = f.endpoint(store.clone());
    let again = authorised(&without_its_record, f.payload).await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.body["outcome"], "duplicate");
    assert_eq!(again.body["stored"], false);
    assert_eq!(store.load(&f.document_id()).await.unwrap(), Some(stored));
}

/// 401 without the header, with another token or another scheme; nothing stored.
pub async fn refuses_a_wrong_or_missing_token(f: &FunctionUnderTest) {
    let store = Arc::new(InMemoryContractFitStore::new());
    let endpoint = f.endpoint(store.clone());
    let missing = call(&endpoint, &[], f.payload).await;
    assert_refused(&missing, 401, "missing_signature");
    let wrong = call(
        &endpoint,
        &[("authorization", &bearer("not-the-token"))],
        f.payload,
    )
    .await;
    assert_refused(&wrong, 401, "signature_mismatch");
    let development = call(
        &endpoint,
        &[("authorization", &bearer(DEVELOPMENT_TOKEN))],
        f.payload,
    )
    .await;
    assert_refused(&development, 401, "signature_mismatch");
    let basic = call(
        &endpoint,
        &[("authorization", &format!("Basic {TOKEN}"))],
        f.payload,
    )
    .await;
    assert_eq!(basic.status, 401, "{:?}", basic.body);
    for answer in [&missing, &wrong, &development, &basic] {
        assert!(
            !answer.body.to_string().contains(TOKEN),
            "{:?}",
            answer.body
        );
    }
    nothing_stored(&store, f).await;
}

/// With `CONTRACTFIT_ORGANIZATION` set, another organisation's delivery is 403, with a
/// message naming neither token nor content; the configured one is accepted.
pub async fn refuses_another_organisation(f: &FunctionUnderTest) {
    let store = Arc::new(InMemoryContractFitStore::new());
    let endpoint = f.endpoint_with_settings(
        store.clone(),
        Settings::for_organization("another-organisation"),
    );
    let refused = authorised(&endpoint, f.payload).await;
    assert_refused(&refused, 403, "forbidden");
    let message = refused.body.to_string();
    assert!(!message.contains(TOKEN), "{message}");
    assert!(!message.contains(ORGANIZATION), "{message}");
    assert!(!message.contains(f.document_id().as_str()), "{message}");
    nothing_stored(&store, f).await;

    let mut unnamed = f.payload_json();
    unnamed.as_object_mut().unwrap().remove("organization");
    let refused = authorised(&endpoint, &serde_json::to_vec(&unnamed).unwrap()).await;
    assert_refused(&refused, 403, "forbidden");
    nothing_stored(&store, f).await;

    let endpoint =
        f.endpoint_with_settings(store.clone(), Settings::for_organization(ORGANIZATION));
    assert_eq!(authorised(&endpoint, f.payload).await.status, 200);
}

/// Every other event (but fail and reject) is 422 naming the one expected.
pub async fn refuses_other_events(f: &FunctionUnderTest) {
    let store = Arc::new(InMemoryContractFitStore::new());
    let endpoint = f.endpoint(store.clone());
    let others = ContractFitEvent::KNOWN
        .iter()
        .map(|e| e.as_str().to_owned())
        .filter(|e| {
            e != f.function.event.as_str() && e != "document_fail" && e != "document_reject"
        })
        .chain(["document_archive".to_owned()]);
    for other in others {
        let refused = authorised(&endpoint, &f.as_event(&other)).await;
        assert_refused(&refused, 422, "wrong_event");
        assert_eq!(
            refused.body["messages"][0]["content"],
            format!(
                "this endpoint handles {} (and records document_fail and document_reject); it received {other}",
                f.function.event
            )
        );
    }
    nothing_stored(&store, f).await;
}

/// `document_fail` and `document_reject` are recorded and answered 200 at this route,
/// once each.
pub async fn records_fail_and_reject(f: &FunctionUnderTest) {
    let store = Arc::new(InMemoryContractFitStore::new());
    let endpoint = f.endpoint(store.clone());
    for (payload, event) in [
        (f.fail_payload(), "document_fail"),
        (f.reject_payload(), "document_reject"),
    ] {
        let answer = authorised(&endpoint, &payload).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert_eq!(answer.body["event"], event);
        assert_eq!(answer.body["outcome"], "stored");
        let again = authorised(&endpoint, &payload).await;
        assert_eq!(again.status, 200, "{:?}", again.body);
        assert_eq!(again.body, answer.body, "the stored answer is replayed");
    }
    let stored = store.load(&f.document_id()).await.unwrap().expect("stored");
    assert_eq!(stored.failures.len(), 1);
    let rejections: Vec<_> = stored
        .versions_of(&ContractFitEvent::DocumentReject)
        .collect();
    assert_eq!(rejections.len(), 1);
    assert_eq!(
        rejections[0].document["reject"]["by"],
        "reviewer@example.com"
    );
}

/// 400 for what is not the documented shape; nothing stored.
pub async fn refuses_malformed_bodies(f: &FunctionUnderTest) {
    let store = Arc::new(InMemoryContractFitStore::new());
    let endpoint = f.endpoint(store.clone());
    let mut without_id = f.payload_json();
    without_id["data"].as_object_mut().unwrap().remove("id");
    let mut bad_id = f.payload_json();
    bad_id["data"]["id"] = json!("CONTRACTFIT#1");
    let mut no_data = f.payload_json();
    no_data.as_object_mut().unwrap().remove("data");
    for body in [
        b"{\"event\": \"document_text\", ".to_vec(),
        b"[]".to_vec(),
        serde_json::to_vec(&without_id).unwrap(),
        serde_json::to_vec(&bad_id).unwrap(),
        serde_json::to_vec(&no_data).unwrap(),
    ] {
        let refused = authorised(&endpoint, &body).await;
        assert_refused(&refused, 400, "malformed_body");
    }
    nothing_stored(&store, f).await;
}

/// 503 with `Retry-After` when the store fails, so that contract.fit retries.
pub async fn answers_503_when_the_store_fails(f: &FunctionUnderTest) {
    let endpoint = f.endpoint(Arc::new(UnavailableContractFitStore::new(
        "the records table is not configured",
    )));
    for payload in [f.payload.to_vec(), f.fail_payload()] {
        let answer = authorised(&endpoint, &payload).await;
        assert_refused(&answer, 503, "temporarily_unavailable");
        assert_eq!(answer.retry_after.as_deref(), Some("5"));
    }
}

/// Through the endpoint into DynamoDB Local: stored, and the same delivery again writes
/// nothing.
pub async fn stores_once_in_dynamodb(f: &FunctionUnderTest) {
    let (records, store) = contractfit_table(f.function.name).await;
    let endpoint = f.endpoint(store.clone());
    let first = authorised(&endpoint, f.payload).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(first.body["outcome"], "stored");
    let items = records.item_count().await;
    let stored = store.load(&f.document_id()).await.unwrap().expect("stored");
    // Another endpoint (an empty idempotency store): the records table alone de-duplicates.
    let again = authorised(&f.endpoint(store.clone()), f.payload).await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.body["outcome"], "duplicate");
    assert_eq!(records.item_count().await, items);
    assert_eq!(store.load(&f.document_id()).await.unwrap(), Some(stored));
    records.drop_table().await;
}

/// The built binary, with its records table, stores the sample delivery once and refuses
/// a wrong token; without a table it answers 503 and says why at start-up.
pub async fn binary_stores_once_in_dynamodb(f: &FunctionUnderTest) {
    let route = f.function.route;
    let (records, store) = contractfit_table(f.function.name).await;
    let endpoint = dynamodb_endpoint();
    let api = RuntimeApi::start().await.unwrap();
    let _process = api
        .spawn_function(
            Path::new(f.binary),
            f.function.name,
            &[
                ("CONTRACTFIT_WEBHOOK_TOKEN", DEVELOPMENT_TOKEN),
                ("CONTRACTFIT_ORGANIZATION", ORGANIZATION),
                ("RECORDS_TABLE", &records.name),
                ("DYNAMODB_ENDPOINT", &endpoint),
                ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
            ],
        )
        .unwrap();
    let event = authorised_event(route, f.payload, DEVELOPMENT_TOKEN);
    let (status, first) = invoke(&api, &event).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["outcome"], "stored");
    let (status, body) = invoke(&api, &event).await;
    assert_eq!(
        (status, &body),
        (200, &first),
        "the retry gets the stored answer"
    );
    let forged = authorised_event(route, f.payload, "guessed");
    let (status, body) = invoke(&api, &forged).await;
    assert_eq!(status, 401, "{body}");

    let stored = store.load(&f.document_id()).await.unwrap().expect("stored");
    assert_eq!(
        stored.deliveries.len(),
        usize::from(f.function.event != ContractFitEvent::DocumentDelete)
    );
    records.drop_table().await;
}

/// The built binary without `RECORDS_TABLE`: every delivery 503, the reason logged.
pub async fn binary_without_a_table_answers_503(f: &FunctionUnderTest) {
    let route = f.function.route;
    let api = RuntimeApi::start().await.unwrap();
    let process = api
        .spawn_function(
            Path::new(f.binary),
            f.function.name,
            &[("CONTRACTFIT_WEBHOOK_TOKEN", DEVELOPMENT_TOKEN)],
        )
        .unwrap();
    let event = authorised_event(route, f.payload, DEVELOPMENT_TOKEN);
    let (status, body) = invoke(&api, &event).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable");
    let logs = process.stop();
    assert!(
        logs.contains("RECORDS_TABLE is not set"),
        "start-up says what is missing: {logs}"
    );
    assert!(
        !logs.contains(DEVELOPMENT_TOKEN),
        "the token is never logged"
    );
}

/// `body` as API Gateway's HTTP API (v2) delivers it to a function, with `Authorization:
/// Bearer <token>`.
fn authorised_event(route: &str, body: &[u8], token: &str) -> Vec<u8> {
    api_gateway_event(route, &[("authorization", &bearer(token))], body)
}
