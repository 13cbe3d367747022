//! Every route, served as the local server serves it (in-memory stores), handed authentic
//! (correctly signed) but hostile bodies: each gets a 4xx naming the problem or a correct
//! answer, never a 5xx, a panic or a hang.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use contractfit_store::InMemoryContractFitStore;
use idempotency::InMemoryIdempotencyStore;
use inkit_client::{Document, InkitApi, InkitError, InkitFuture};
use local_server::{Background, Dependencies, SAMPLE_VENDORS_CSV, endpoints};
use record_store::InMemoryRecordStore;
use serde_json::{Value, json};
use vendor_matching::{InMemoryVendorStore, read_vendors};
use webhook_endpoint::{Endpoint, EndpointConfig};
use webhook_test_support::{bearer, call, config, inkit_signature, rossum_signature};

const ROSSUM_SECRET: &str = "rossum-test-secret";
const INKIT_SECRET: &str = "inkit-test-secret";
const CONTRACTFIT_TOKEN: &str = "contractfit-test-token";
/// A guard against hangs, far above any answer's time: not a speed requirement.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// Inkit knows no document: create-finished records the details as unavailable.
struct NoDocuments;

impl InkitApi for NoDocuments {
    fn document<'a>(&'a self, _document_id: &'a str) -> InkitFuture<'a, Document> {
        Box::pin(std::future::ready(Err(InkitError::NotFound)))
    }
}

fn secrets() -> Vec<(&'static str, &'static str)> {
    vec![
        ("ROSSUM_HOOK_SECRET", ROSSUM_SECRET),
        ("INKIT_WEBHOOK_SECRET", INKIT_SECRET),
        ("CONTRACTFIT_WEBHOOK_TOKEN", CONTRACTFIT_TOKEN),
    ]
}

fn all_endpoints(config: &EndpointConfig) -> Vec<Endpoint> {
    let vendors = read_vendors(SAMPLE_VENDORS_CSV.as_bytes(), false).unwrap();
    let records = Arc::new(InMemoryRecordStore::new());
    let deps = Dependencies::given(Background::InProcess)
        .with_vendors(Arc::new(InMemoryVendorStore::new(
            vendors.vendors.into_iter().map(|(_, v)| v),
        )))
        .with_records(records.clone())
        .with_inkit_records(records)
        .with_inkit_api(Arc::new(NoDocuments))
        .with_contractfit(Arc::new(InMemoryContractFitStore::new()))
        .with_idempotency(Arc::new(InMemoryIdempotencyStore::new()));
    let endpoints = endpoints(config, &deps);
    assert_eq!(endpoints.len(), 14, "every function is covered");
    endpoints
}

/// Every route, configured with the secrets of [`secrets`].
fn every_route() -> Vec<Endpoint> {
    all_endpoints(&config(&secrets()))
}

/// The header that authenticates `body` on `endpoint`'s platform.
fn authentication(endpoint: &Endpoint, body: &[u8]) -> (&'static str, String) {
    let route = endpoint.route();
    if route.starts_with("/rossum/") {
        (
            "x-rossum-signature-sha256",
            rossum_signature(ROSSUM_SECRET, body),
        )
    } else if route.starts_with("/inkit/") {
        ("inkit-signature", inkit_signature(INKIT_SECRET, body))
    } else {
        ("authorization", bearer(CONTRACTFIT_TOKEN))
    }
}

/// `payload` as a new delivery: Rossum deliveries get a `request_id` of their own, since one
/// reused with another body is refused as a conflict.
fn delivery(mut payload: Value) -> Vec<u8> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    if payload.get("request_id").is_some() {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        payload["request_id"] = json!(format!("00000000-0000-4000-8000-{n:012}"));
    }
    payload.to_string().into_bytes()
}

/// Sends `body`, authentically signed, and returns the status and JSON answer.
async fn send(endpoint: &Endpoint, body: &[u8]) -> (u16, Value) {
    let (name, value) = authentication(endpoint, body);
    let headers = [(name, value.as_str())];
    tokio::time::timeout(HANG_GUARD, call(endpoint, &headers, body))
        .await
        .unwrap_or_else(|_| panic!("{} did not answer", endpoint.route()))
}

fn nested(open: &str, close: &str, depth: usize) -> Vec<u8> {
    format!("{}1{}", open.repeat(depth), close.repeat(depth)).into_bytes()
}

/// Bodies no platform sends: each is refused with 400 `malformed_body` on every route.
fn malformed_bodies() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("empty", Vec::new()),
        ("whitespace", b" \t\r\n  ".to_vec()),
        ("null", b"null".to_vec()),
        ("array", b"[{\"event\": \"annotation_content\"}]".to_vec()),
        ("string", b"\"annotation_content\"".to_vec()),
        ("number -0", b"-0".to_vec()),
        ("number 1e400", b"1e400".to_vec()),
        (
            "huge integer",
            b"123456789012345678901234567890123456789".to_vec(),
        ),
        ("invalid UTF-8", b"{\"event\": \"\xff\xfe\"}".to_vec()),
        ("truncated", b"{\"event\": \"annotation_con".to_vec()),
        ("arrays 10 000 deep", nested("[", "]", 10_000)),
        ("objects 10 000 deep", nested("{\"a\":", "}", 10_000)),
        ("unclosed 10 000 deep", "[".repeat(10_000).into_bytes()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_are_400_on_every_route() {
    for endpoint in every_route() {
        for (what, body) in malformed_bodies() {
            let (status, answer) = send(&endpoint, &body).await;
            assert_eq!(status, 400, "{} {what}: {answer}", endpoint.route());
            assert_eq!(
                answer["error"],
                "malformed_body",
                "{} {what}",
                endpoint.route()
            );
        }
    }
}

/// Well-formed JSON of the wrong shape or with absurd values: a 4xx naming the problem.
fn odd_objects() -> Vec<(&'static str, Vec<u8>)> {
    let long = "x".repeat(1_000_000);
    vec![
        ("empty object", b"{}".to_vec()),
        (
            "duplicate keys",
            br#"{"event": "annotation_content", "event": "document_text", "event_type": "DOCUMENT_DELETED", "event_type": "x"}"#.to_vec(),
        ),
        (
            "long strings",
            json!({"event": long, "action": long, "event_type": long, "resource_id": long, long.clone(): long})
                .to_string()
                .into_bytes(),
        ),
        (
            "numbers at the limits",
            br#"{"event": 1e308, "action": -0, "event_type": 18446744073709551616, "data": {"id": -1e308}}"#.to_vec(),
        ),
        (
            "wrong types",
            br#"{"event": ["annotation_content"], "action": {}, "event_type": null, "data": "x"}"#.to_vec(),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_objects_are_refused_with_a_4xx_on_every_route() {
    for endpoint in every_route() {
        for (what, body) in odd_objects() {
            let (status, answer) = send(&endpoint, &body).await;
            assert!(
                status == 400 || status == 422,
                "{} {what}: {status} {answer}",
                endpoint.route()
            );
            assert!(
                answer["error"] == "malformed_body" || answer["error"] == "wrong_event",
                "{} {what}: {answer}",
                endpoint.route()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_413_before_any_verification() {
    let mut vars = secrets();
    vars.push(("WEBHOOK_MAX_BODY_BYTES", "1024"));
    let config = config(&vars);
    let body = vec![b'{'; 1025];
    for endpoint in all_endpoints(&config) {
        // Unsigned and wrongly signed alike: were the signature checked, these would be 401.
        for headers in [vec![], vec![("x-rossum-signature-sha256", "sha256=00")]] {
            let answer = tokio::time::timeout(HANG_GUARD, call(&endpoint, &headers, &body));
            let (status, answer) = answer.await.expect("an answer");
            assert_eq!(status, 413, "{}: {answer}", endpoint.route());
            assert_eq!(answer["error"], "payload_too_large");
        }
        // One byte less is read, and refused by verification instead.
        let (status, _) = call(&endpoint, &[], &body[..1024]).await;
        assert_eq!(status, 401, "{}", endpoint.route());
    }
}

/// The `events/payloads/` sample of a function.
fn sample(function: &str) -> Value {
    let path = format!(
        "{}/../../events/payloads/{function}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn endpoint_named<'a>(endpoints: &'a [Endpoint], function: &str) -> &'a Endpoint {
    endpoints.iter().find(|e| e.function() == function).unwrap()
}

/// Every datapoint of the sample annotation with this `schema_id`, mutably.
fn datapoints_mut<'a>(node: &'a mut Value, schema_id: &str, found: &mut Vec<&'a mut Value>) {
    match node {
        Value::Array(items) => {
            for item in items {
                datapoints_mut(item, schema_id, found);
            }
        }
        Value::Object(map) if map.get("schema_id").and_then(Value::as_str) == Some(schema_id) => {
            found.push(node)
        }
        Value::Object(map) => {
            if let Some(children) = map.get_mut("children") {
                datapoints_mut(children, schema_id, found);
            }
        }
        _ => {}
    }
}

fn set_values(payload: &mut Value, schema_id: &str, value: &str) {
    let mut found = Vec::new();
    datapoints_mut(&mut payload["annotation"]["content"], schema_id, &mut found);
    assert!(!found.is_empty(), "{schema_id} is in the sample");
    for datapoint in found {
        set_value(datapoint, value);
    }
}

/// The datapoint's value as a user types it: `value`, not yet normalised.
fn set_value(datapoint: &mut Value, value: &str) {
    datapoint["content"]["value"] = json!(value);
    datapoint["content"]["normalized_value"] = Value::Null;
}

/// The functions that run rules on the sample annotation.
const ANNOTATION_HOOKS: [&str; 3] = [
    "rossum-annotation-initialize",
    "rossum-annotation-updated",
    "rossum-annotation-export",
];

/// The sample of `function`, one of [`ANNOTATION_HOOKS`], as a delivery its rules answer: the
/// export sample as a `confirm`, which the export gate answers without recording an export.
fn answered_by_the_rules(function: &str) -> Value {
    let mut payload = sample(function);
    if function == "rossum-annotation-export" {
        payload["action"] = json!("confirm");
    }
    payload
}

fn messages(answer: &Value) -> String {
    answer["messages"].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amounts_at_the_limits_are_read_or_reported_never_trusted() {
    let endpoints = every_route();
    let export = endpoint_named(&endpoints, "rossum-annotation-export");
    let unreadable = ["NaN", "∞", "-∞", "inf", "e", ""];
    for raw in unreadable {
        let mut payload = answered_by_the_rules("rossum-annotation-export");
        set_values(&mut payload, "amount_total", raw);
        let (status, answer) = send(export, &delivery(payload)).await;
        assert_eq!(status, 200, "{raw:?}: {answer}");
        // An unreadable or empty total never passes the export gate.
        assert!(
            answer["messages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["type"] == "error"),
            "{raw:?}: {answer}"
        );
    }
    for raw in [
        "1e308",
        "-0",
        "1e400",
        &"9".repeat(400),
        "18446744073709551616",
    ] {
        for function in ANNOTATION_HOOKS {
            let mut payload = answered_by_the_rules(function);
            set_values(&mut payload, "item_amount_total", raw);
            set_values(&mut payload, "amount_total", raw);
            set_values(&mut payload, "item_vat_rate", raw);
            let endpoint = endpoint_named(&endpoints, function);
            let (status, answer) = send(endpoint, &delivery(payload)).await;
            assert_eq!(status, 200, "{function} {raw:?}: {answer}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn line_totals_that_overflow_do_not_pass_the_sum_check() {
    let endpoints = every_route();
    let export = endpoint_named(&endpoints, "rossum-annotation-export");
    // Each line total is finite; their sum is not (+inf, then +inf + -inf = NaN).
    let huge = "9".repeat(308);
    let mut payload = answered_by_the_rules("rossum-annotation-export");
    let mut totals = Vec::new();
    datapoints_mut(
        &mut payload["annotation"]["content"],
        "item_amount_total",
        &mut totals,
    );
    let signs = ["", "", "-", "-"];
    for (datapoint, sign) in totals.into_iter().zip(signs) {
        set_value(datapoint, &format!("{sign}{huge}"));
    }
    let (status, answer) = send(export, &delivery(payload)).await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        messages(&answer).contains("Line item totals"),
        "sums that cannot be computed do not add up: {answer}"
    );
}

/// Line items of the sample's shape, each with a zero VAT rate.
fn many_line_items(count: u64) -> Value {
    let rows: Vec<Value> = (0..count)
        .map(|i| {
            let id = 7_000_000 + i * 10;
            json!({
                "id": id, "schema_id": "line_item", "category": "tuple",
                "children": [
                    {"id": id + 1, "schema_id": "item_amount_total", "category": "datapoint",
                     "content": {"value": "1.00"}},
                    {"id": id + 2, "schema_id": "item_vat_rate", "category": "datapoint",
                     "content": {"value": "ZERO"}}
                ]
            })
        })
        .collect();
    json!({"id": 6999999, "schema_id": "line_items", "category": "multivalue", "children": rows})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_annotation_with_10_000_line_items_is_answered_in_full() {
    let endpoints = every_route();
    let mut payload = sample("rossum-annotation-updated");
    payload["annotation"]["content"]
        .as_array_mut()
        .unwrap()
        .push(
            json!({"id": 6999998, "schema_id": "more_items", "category": "section",
                      "children": [many_line_items(10_000)]}),
        );
    let updated = endpoint_named(&endpoints, "rossum-annotation-updated");
    let (status, answer) = send(updated, &delivery(payload)).await;
    assert_eq!(status, 200, "{}", messages(&answer));
    let replaced = answer["operations"].as_array().unwrap();
    // The sample's two zero-rated cells and every new one.
    assert_eq!(replaced.len(), 10_002);
    assert!(replaced.iter().all(|op| op["op"] == "replace"));

    for function in ["rossum-annotation-initialize", "rossum-annotation-export"] {
        let mut payload = answered_by_the_rules(function);
        payload["annotation"]["content"]
            .as_array_mut()
            .unwrap()
            .push(many_line_items(10_000));
        let endpoint = endpoint_named(&endpoints, function);
        let (status, answer) = send(endpoint, &delivery(payload)).await;
        assert_eq!(status, 200, "{function}: {}", messages(&answer));
        // 10 000 more line totals of 1.00 no longer add up to the sample's total.
        assert!(
            messages(&answer).contains("Line item totals"),
            "{function}: {answer}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datapoint_ids_that_repeat_or_equal_their_parents_are_answered() {
    let endpoints = every_route();
    for function in ANNOTATION_HOOKS {
        let mut payload = answered_by_the_rules(function);
        let content = payload["annotation"]["content"].as_array_mut().unwrap();
        let copy = content[0].clone();
        // The same section (same ids) twice, and a node whose child has its own id.
        content.push(copy);
        content.push(
            json!({"id": 6600030, "schema_id": "line_items_section", "category": "section",
            "children": [{"id": 6600030, "schema_id": "item_vat_rate", "category": "datapoint",
                          "content": {"value": "ZERO"},
                          "children": [{"id": 6600030, "schema_id": "item_vat_rate",
                                        "category": "datapoint", "content": {"value": "zero"}}]}]}),
        );
        payload["updated_datapoints"] = json!([6600030, 6600030, 6600012]);
        let endpoint = endpoint_named(&endpoints, function);
        let (status, answer) = send(endpoint, &delivery(payload)).await;
        assert_eq!(status, 200, "{function}: {answer}");
        if function == "rossum-annotation-updated" {
            let ids: Vec<u64> = answer["operations"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|op| op["value"]["content"]["value"] == "0.0")
                .map(|op| op["id"].as_u64().unwrap())
                .collect();
            assert!(ids.contains(&6600030), "{answer}");
            assert!(ids.contains(&6601015), "{answer}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_with_hostile_fields_get_a_4xx_or_an_answer_on_every_route() {
    let endpoints = every_route();
    let long = "é".repeat(500_000);
    for endpoint in &endpoints {
        let base = sample(endpoint.function());
        let mut variants: Vec<(&str, Value)> = Vec::new();
        let keys: Vec<String> = base.as_object().unwrap().keys().cloned().collect();
        for key in &keys {
            for (what, value) in [
                ("long string", json!(long)),
                ("null", Value::Null),
                ("number 1e308", json!(1e308)),
                ("negative", json!(-1)),
                ("huge integer", json!(u64::MAX)),
                (
                    "nested",
                    serde_json::from_slice(&nested("[", "]", 100)).unwrap(),
                ),
            ] {
                let mut payload = base.clone();
                payload[key.as_str()] = value;
                variants.push((what, payload));
            }
        }
        for (what, payload) in variants {
            let (status, answer) = send(endpoint, &delivery(payload)).await;
            assert!(
                (200..500).contains(&status) && status != 401,
                "{} {what}: {status} {answer}",
                endpoint.route()
            );
        }
    }
}
