//! What the tests of the contract.fit function crates share (feature `testing`): calling an
//! endpoint, API Gateway events for the built binaries, DynamoDB Local tables, and
//! [`checks`], the behaviour every contract.fit endpoint must show, written once.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::Client;
use idempotency::InMemoryIdempotencyStore;
use lambda_runtime_stub::{Outcome, RuntimeApi};
use serde_json::{Value, json};
use webhook_endpoint::{Body, Endpoint, EndpointConfig, Request, SecretSource};
use webhook_model::contractfit::{ContractFitEvent, DocumentId};

use crate::webhook::Settings;
use crate::{
    ContractFitStore, DynamoContractFitStore, InMemoryContractFitStore, UnavailableContractFitStore,
};

/// The token the endpoints under test are configured with.
pub const TOKEN: &str = "contractfit-token-under-test";
/// The published development token (`events/` and the local server use it).
pub const DEVELOPMENT_TOKEN: &str = "contractfit-development-token";
/// The organisation of the sample payloads.
pub const ORGANIZATION: &str = "contractfit1";

/// `Authorization` header value for `token`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// An endpoint configuration whose contract.fit token is [`TOKEN`].
pub fn configured() -> EndpointConfig {
    EndpointConfig::from_lookup(SecretSource::Environment, |name| {
        (name == webhook_endpoint::env_names::CONTRACTFIT_TOKEN).then(|| TOKEN.to_owned())
    })
}

/// A POST of `body` to `route` with `headers`.
pub fn request(route: &str, headers: &[(&str, &str)], body: &[u8]) -> Request {
    let mut builder = http::Request::builder().method("POST").uri(route);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::Binary(body.to_vec())).unwrap()
}

/// An endpoint's answer: status, `retry-after` header, JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Value,
}

/// Calls `endpoint` with `headers` and `body`.
pub async fn call(endpoint: &Endpoint, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let response = endpoint
        .handle(request(endpoint.route(), headers, body))
        .await;
    assert_eq!(response.headers()["content-type"], "application/json");
    Answer {
        status: response.status().as_u16(),
        retry_after: response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned()),
        body: serde_json::from_slice(response.body()).expect("every answer is JSON"),
    }
}

/// Calls `endpoint` with `Authorization: Bearer <TOKEN>`.
pub async fn authorised(endpoint: &Endpoint, body: &[u8]) -> Answer {
    call(endpoint, &[("authorization", &bearer(TOKEN))], body).await
}

/// One contract.fit function, as its tests see it.
#[derive(Debug, Clone)]
pub struct FunctionUnderTest {
    pub name: &'static str,
    /// The function's `endpoint_with_settings`.
    pub endpoint: crate::webhook::FunctionEndpointWithSettings,
    pub event: ContractFitEvent,
    /// Its sample payload (`events/payloads/<function>.json`).
    pub payload: &'static [u8],
}

impl FunctionUnderTest {
    /// The endpoint configured with [`TOKEN`], accepting any organisation.
    pub fn endpoint(&self, store: Arc<dyn ContractFitStore>) -> Endpoint {
        (self.endpoint)(
            &configured(),
            store,
            Arc::new(InMemoryIdempotencyStore::new()),
            Settings::default(),
        )
    }

    pub fn payload_json(&self) -> Value {
        serde_json::from_slice(self.payload).expect("the sample payload is JSON")
    }

    pub fn document_id(&self) -> DocumentId {
        self.payload_json()["data"]["id"]
            .as_str()
            .expect("the sample payload has data.id")
            .parse()
            .expect("a document id")
    }

    /// The sample payload with another `event`.
    pub fn as_event(&self, event: &str) -> Vec<u8> {
        let mut payload = self.payload_json();
        payload["event"] = json!(event);
        serde_json::to_vec(&payload).unwrap()
    }

    /// A `document_fail` delivery for the sample's document.
    pub fn fail_payload(&self) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "event": "document_fail",
            "organization": ORGANIZATION,
            "data": {"id": self.document_id().as_str()}
        }))
        .unwrap()
    }

    /// A `document_reject` delivery for the sample's document (the document JSON whole).
    pub fn reject_payload(&self) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "event": "document_reject",
            "organization": ORGANIZATION,
            "data": {
                "id": self.document_id().as_str(),
                "inbox": "65f1c0a2b3d4e5f601234567",
                "original_filename": "scan-0042.pdf",
                "page_count": 1,
                "reject": {"value": true, "by": "reviewer@example.com", "since": "2026-11-20T10:12:00"},
                "status_data": {"reject": true, "reject_accepted": true}
            }
        }))
        .unwrap()
    }
}

/// The endpoint of the DynamoDB Local these tests need; its absence fails the test, loudly.
pub fn dynamodb_endpoint() -> String {
    match std::env::var("DYNAMODB_ENDPOINT") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "DYNAMODB_ENDPOINT is not set: these tests run against DynamoDB Local. Run ./scripts/test, \
             or first `export DYNAMODB_ENDPOINT=$(scripts/dynamodb-local start)`"
        ),
    }
}

/// A client of DynamoDB Local and a new records table whose name no other test uses.
pub async fn records_table(label: &str) -> (Client, String) {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let client = dynamodb_store::connect(Some(&dynamodb_endpoint())).await;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let table = format!(
        "{label}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    record_store::create_records_table(&client, &table)
        .await
        .unwrap_or_else(|e| panic!("creating {table}: {e}"));
    (client, table)
}

/// How many items the table holds (a Scan reads the whole table: tests only).
pub async fn item_count(client: &Client, table: &str) -> usize {
    let mut pages = client
        .scan()
        .table_name(table)
        .consistent_read(true)
        .into_paginator()
        .send();
    let mut count = 0;
    while let Some(page) = pages.try_next().await.expect("scan") {
        count += page.items().len();
    }
    count
}

/// `body` as API Gateway's HTTP API (v2) delivers it to a function, with `authorization`.
pub fn api_gateway_event(route: &str, body: &[u8], authorization: &str) -> Vec<u8> {
    let event = json!({
        "version": "2.0",
        "routeKey": format!("POST {route}"),
        "rawPath": route,
        "rawQueryString": "",
        "headers": {
            "authorization": authorization,
            "content-type": "application/json",
            "content-length": body.len().to_string(),
            "host": "abc123defg.execute-api.eu-west-1.amazonaws.com",
            "user-agent": "contract.fit/webhooks",
            "x-forwarded-proto": "https"
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123defg",
            "domainName": "abc123defg.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "abc123defg",
            "http": {
                "method": "POST",
                "path": route,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": "contract.fit/webhooks"
            },
            "requestId": "Ek4cAjIiDoEEQmy=",
            "routeKey": format!("POST {route}"),
            "stage": "$default",
            "time": "20/Nov/2026:09:05:12 +0000",
            "timeEpoch": 1795165512000u64
        },
        "body": std::str::from_utf8(body).expect("payloads are UTF-8"),
        "isBase64Encoded": false
    });
    serde_json::to_vec(&event).unwrap()
}

/// Invokes the function and returns the API Gateway proxy response's status and JSON body.
pub async fn invoke(api: &RuntimeApi, event: &[u8]) -> (u16, Value) {
    match api
        .invoke(event, Duration::from_secs(30))
        .await
        .expect("the function answers")
    {
        Outcome::Response(response) => {
            let status = response["statusCode"].as_u64().expect("a proxy response") as u16;
            let body = serde_json::from_str(response["body"].as_str().expect("a body"))
                .expect("a JSON body");
            (status, body)
        }
        Outcome::Error(error) => {
            panic!("the function reported an error instead of answering: {error}")
        }
    }
}

/// The behaviour every contract.fit endpoint must show. Each function crate runs every check
/// as a test of its own.
pub mod checks {
    use super::*;

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
            json!({"event": f.event.as_str(), "document_id": f.document_id().as_str(),
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
        let endpoint = (f.endpoint)(
            &configured(),
            store.clone(),
            Arc::new(InMemoryIdempotencyStore::new()),
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

        let endpoint = (f.endpoint)(
            &configured(),
            store.clone(),
            Arc::new(InMemoryIdempotencyStore::new()),
            Settings::for_organization(ORGANIZATION),
        );
        assert_eq!(authorised(&endpoint, f.payload).await.status, 200);
    }

    /// Every other event (but fail and reject) is 422 naming the one expected.
    pub async fn refuses_other_events(f: &FunctionUnderTest) {
        let store = Arc::new(InMemoryContractFitStore::new());
        let endpoint = f.endpoint(store.clone());
        let others = ContractFitEvent::KNOWN
            .iter()
            .map(|e| e.as_str().to_owned())
            .filter(|e| e != f.event.as_str() && e != "document_fail" && e != "document_reject")
            .chain(["document_archive".to_owned()]);
        for other in others {
            let refused = authorised(&endpoint, &f.as_event(&other)).await;
            assert_refused(&refused, 422, "wrong_event");
            assert_eq!(
                refused.body["messages"][0]["content"],
                format!(
                    "this endpoint handles {} (and records document_fail and document_reject); it received {other}",
                    f.event
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
        let (client, table) = records_table(f.name).await;
        let store = Arc::new(DynamoContractFitStore::new(client.clone(), &table));
        let endpoint = f.endpoint(store.clone());
        let first = authorised(&endpoint, f.payload).await;
        assert_eq!(first.status, 200, "{:?}", first.body);
        assert_eq!(first.body["outcome"], "stored");
        let items = item_count(&client, &table).await;
        let stored = store.load(&f.document_id()).await.unwrap().expect("stored");
        // Another endpoint (an empty idempotency store): the records table alone de-duplicates.
        let again = authorised(&f.endpoint(store.clone()), f.payload).await;
        assert_eq!(again.status, 200, "{:?}", again.body);
        assert_eq!(again.body["outcome"], "duplicate");
        assert_eq!(item_count(&client, &table).await, items);
        assert_eq!(store.load(&f.document_id()).await.unwrap(), Some(stored));
        let _ = client.delete_table().table_name(&table).send().await;
    }

    /// The built binary, with its records table, stores the sample delivery once and refuses
    /// a wrong token; without a table it answers 503 and says why at start-up.
    pub async fn binary_stores_once_in_dynamodb(f: &FunctionUnderTest, binary: &str) {
        let route = f
            .endpoint(Arc::new(InMemoryContractFitStore::new()))
            .route();
        let (client, table) = records_table(f.name).await;
        let endpoint = dynamodb_endpoint();
        let api = RuntimeApi::start().await.unwrap();
        let _process = api
            .spawn_function(
                Path::new(binary),
                f.name,
                &[
                    ("CONTRACTFIT_WEBHOOK_TOKEN", DEVELOPMENT_TOKEN),
                    ("CONTRACTFIT_ORGANIZATION", ORGANIZATION),
                    ("RECORDS_TABLE", &table),
                    ("DYNAMODB_ENDPOINT", &endpoint),
                    ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
                ],
            )
            .unwrap();
        let event = api_gateway_event(route, f.payload, &bearer(DEVELOPMENT_TOKEN));
        let (status, first) = invoke(&api, &event).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["outcome"], "stored");
        let (status, body) = invoke(&api, &event).await;
        assert_eq!(
            (status, &body),
            (200, &first),
            "the retry gets the stored answer"
        );
        let forged = api_gateway_event(route, f.payload, &bearer("guessed"));
        let (status, body) = invoke(&api, &forged).await;
        assert_eq!(status, 401, "{body}");

        let store = DynamoContractFitStore::new(client.clone(), &table);
        let stored = store.load(&f.document_id()).await.unwrap().expect("stored");
        assert_eq!(
            stored.deliveries.len(),
            usize::from(f.event != ContractFitEvent::DocumentDelete)
        );
        let _ = client.delete_table().table_name(&table).send().await;
    }

    /// The built binary without `RECORDS_TABLE`: every delivery 503, the reason logged.
    pub async fn binary_without_a_table_answers_503(f: &FunctionUnderTest, binary: &str) {
        let route = f
            .endpoint(Arc::new(InMemoryContractFitStore::new()))
            .route();
        let api = RuntimeApi::start().await.unwrap();
        let process = api
            .spawn_function(
                Path::new(binary),
                f.name,
                &[("CONTRACTFIT_WEBHOOK_TOKEN", DEVELOPMENT_TOKEN)],
            )
            .unwrap();
        let event = api_gateway_event(route, f.payload, &bearer(DEVELOPMENT_TOKEN));
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
}
