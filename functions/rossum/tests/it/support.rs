//! What the Rossum functions' tests share: the secrets, a sample edited, calling an endpoint
//! that records, a refusal in Rossum's error format, and a delivery as API Gateway hands it to
//! a binary.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use idempotency::IdempotencyStore;
use record_store::RecordStore;
use serde_json::Value;
use vendor_matching::InMemoryVendorStore;
use webhook_endpoint::{Endpoint, EndpointConfig};
use webhook_function::{Background, Dependencies, Function};
use webhook_test_support::binary::{self, FunctionProcess, RuntimeApi};
use webhook_test_support::{RecordsTable, invoke};

pub use webhook_test_support::fresh_idempotency_store;
pub use webhook_test_support::rossum_signature as signature;

/// The secret the endpoints under test are configured with.
pub const SECRET: &str = "hook-secret-under-test";
/// The secret the binaries run with, as the local development set-up configures them.
pub const DEVELOPMENT_SECRET: &str = "rossum-development-secret";
/// The variable the binaries read their secret from, with [`DEVELOPMENT_SECRET`].
pub const SECRET_VAR: (&str, &str) = ("ROSSUM_HOOK_SECRET", DEVELOPMENT_SECRET);
/// The header Rossum signs its deliveries in.
pub const SIGNATURE: &str = "x-rossum-signature-sha256";

/// `SAMPLE`, the sample payload of the function `$name` (`events/payloads/$name.json`), and
/// `EVENT`, the signed sample event users invoke its binary with (`events/$name.json`).
macro_rules! samples {
    ($name:literal) => {
        /// The sample payload.
        pub const SAMPLE: &[u8] = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../events/payloads/",
            $name,
            ".json"
        ));
        /// The signed sample event users invoke the function with (its body is [`SAMPLE`]).
        pub const EVENT: &[u8] = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../events/",
            $name,
            ".json"
        ));
    };
}
pub(crate) use samples;

/// The sample annotation (every annotation sample of `events/payloads/` is a delivery of it).
pub const ANNOTATION_ID: u64 = 4480712;
/// The sample annotation's vendor match datapoint.
pub const VENDOR_MATCH_ID: u64 = 6600015;
/// The sample annotation's total amount datapoint.
pub const AMOUNT_TOTAL_ID: u64 = 6600023;
/// The sample annotation's currency datapoint.
pub const CURRENCY_ID: u64 = 6600024;

/// The initialize sample: the sample annotation as Rossum sends it when it is created.
pub fn initialize_sample() -> Value {
    serde_json::from_slice(include_bytes!(
        "../../../../events/payloads/rossum-annotation-initialize.json"
    ))
    .expect("the initialize sample is JSON")
}

/// Sets every datapoint of `schema_id` to `value` (and drops its normalised value).
pub fn set_datapoint_in(nodes: &mut Value, schema_id: &str, value: &str) {
    for node in nodes.as_array_mut().into_iter().flatten() {
        if node["schema_id"] == schema_id {
            node["content"]["value"] = Value::from(value);
            node["content"]["normalized_value"] = Value::Null;
        }
        if let Some(children) = node.get_mut("children") {
            set_datapoint_in(children, schema_id, value);
        }
    }
}

/// Sets every datapoint of `schema_id` in a delivery's annotation to `value`.
pub fn set_datapoint(payload: &mut Value, schema_id: &str, value: &str) {
    set_datapoint_in(&mut payload["annotation"]["content"], schema_id, value);
}

/// The sample vendor file, `events/master-data/vendors.csv`.
pub fn sample_vendor_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/master-data/vendors.csv")
}

/// The vendors of [`sample_vendor_file`], in memory: every row of it read.
pub fn sample_vendors() -> InMemoryVendorStore {
    let (store, rejected) = InMemoryVendorStore::load(&sample_vendor_file()).unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    store
}

/// How a function that records builds its endpoint (its registry entry, over [`recording`]).
pub type RecordingEndpoint =
    fn(&EndpointConfig, Arc<dyn RecordStore>, Arc<dyn IdempotencyStore>) -> Endpoint;

/// `function`'s endpoint over `records` and `idempotency`, the only dependencies given.
pub fn recording(
    function: &Function,
    config: &EndpointConfig,
    records: Arc<dyn RecordStore>,
    idempotency: Arc<dyn IdempotencyStore>,
) -> Endpoint {
    function.build(
        config,
        &given().with_records(records).with_idempotency(idempotency),
    )
}

/// Dependencies with nothing given yet: each function under test is given its own.
pub fn given() -> Dependencies {
    Dependencies::given(Background::InProcess)
}

/// The endpoint configuration with [`SECRET`].
pub fn configured() -> EndpointConfig {
    webhook_test_support::config(&[("ROSSUM_HOOK_SECRET", SECRET)])
}

pub fn bytes(payload: &Value) -> Vec<u8> {
    serde_json::to_vec(payload).unwrap()
}

/// The JSON `sample` after `edit`.
pub fn edited(sample: &[u8], edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut payload: Value = serde_json::from_slice(sample).unwrap();
    edit(&mut payload);
    bytes(&payload)
}

/// Calls the endpoint `endpoint` builds under `config` over `records` and a fresh idempotency
/// store; the status, the `retry-after` header and the JSON body.
pub async fn call(
    endpoint: RecordingEndpoint,
    config: &EndpointConfig,
    records: Arc<dyn RecordStore>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    let endpoint = endpoint(config, records, fresh_idempotency_store());
    webhook_test_support::respond(&endpoint, headers, body).await
}

/// [`call`] under [`configured`] with a valid signature; the status and the JSON body.
pub async fn signed(
    endpoint: RecordingEndpoint,
    records: Arc<dyn RecordStore>,
    body: &[u8],
) -> (u16, Value) {
    let signature = signature(SECRET, body);
    let headers = [(SIGNATURE, signature.as_str())];
    let (status, _, body) = call(endpoint, &configured(), records, &headers, body).await;
    (status, body)
}

/// The text of the answer's first message.
pub fn message(body: &Value) -> &str {
    body["messages"][0]["content"]
        .as_str()
        .unwrap_or_else(|| panic!("a message with text: {body}"))
}

/// A refusal in Rossum's error format: the status, the code, and an error message with text.
pub fn assert_refused(status: u16, body: &Value, expected_status: u16, expected_code: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"], expected_code, "{body}");
    assert_eq!(body["messages"][0]["type"], "error", "{body}");
    assert!(
        body["messages"][0]["content"]
            .as_str()
            .is_some_and(|c| !c.is_empty()),
        "{body}"
    );
}

/// `body` as API Gateway delivers it to the function on `route`, signed with `secret`.
pub fn signed_event(route: &str, body: &[u8], secret: &str) -> Vec<u8> {
    webhook_test_support::api_gateway_event(
        route,
        &[
            ("user-agent", "Rossum/webhook"),
            (SIGNATURE, &signature(secret, body)),
        ],
        body,
    )
}

/// Starts the function `name` from `binary` as Lambda starts it, with [`SECRET_VAR`], a new
/// records table of its own in DynamoDB Local and JSON logs: the table, the stub and the
/// process.
pub async fn start_with_records_table(
    binary: &str,
    name: &str,
) -> (RecordsTable, RuntimeApi, FunctionProcess) {
    let records = RecordsTable::new(name, "binary").await;
    let (api, process) =
        binary::start_with_records_table(binary, name, SECRET_VAR, &records.name, &[]).await;
    (records, api, process)
}

/// Invokes the binary with `event` twice, a delivery and Rossum's retry of it: 200, and the
/// retry gets the very answer of the first; that answer.
pub async fn invoke_twice(api: &RuntimeApi, event: &[u8]) -> Value {
    let (status, first) = invoke(api, event).await;
    assert_eq!(status, 200, "{first}");
    let (status, again) = invoke(api, event).await;
    assert_eq!(
        (status, &again),
        (200, &first),
        "the retry gets the stored answer"
    );
    first
}

/// `sample` delivered to the binary on `route` signed with a guessed secret: refused, 401.
pub async fn assert_forgery_refused(api: &RuntimeApi, route: &str, sample: &[u8]) {
    let (status, body) = invoke(api, &signed_event(route, sample, "a guessed secret")).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "signature_mismatch");
}

/// The JSON log of a binary that answered, replayed a redelivery and refused a forgery: a
/// line for each, and neither its secret nor any of `private`.
pub fn assert_logged_answers_and_replay(logs: &str, private: &[&str]) {
    assert!(logs.contains("\"status\":200"), "{logs}");
    assert!(logs.contains("signature_mismatch"), "{logs}");
    assert!(
        logs.contains("replaying the stored answer"),
        "the redelivery is logged: {logs}"
    );
    binary::assert_not_logged(logs, &[DEVELOPMENT_SECRET]);
    binary::assert_not_logged(logs, private);
}

/// The endpoint as deployed: its records and the idempotency guard's items in one table.
pub fn as_deployed(endpoint: RecordingEndpoint, records: &RecordsTable) -> Endpoint {
    endpoint(&configured(), records.store.clone(), records.store.clone())
}

/// `payload` delivered anew: the same content with another `request_id` and `timestamp`.
pub fn with_new_ids(mut payload: Value, request_id: &str, timestamp: &str) -> Value {
    payload["request_id"] = Value::from(request_id);
    payload["timestamp"] = Value::from(timestamp);
    payload
}

/// Delivers `payload` to `endpoint`, then again as Rossum may retry it: with a new
/// `request_id` and `timestamp` (its reference does not promise that a retry keeps them), so
/// that the retry gets past the idempotency guard as a new delivery; the two answers.
pub async fn deliver_then_retry_with_new_ids(
    endpoint: &Endpoint,
    payload: Value,
    request_id: &str,
    timestamp: &str,
) -> [(u16, Value); 2] {
    let first = deliver(endpoint, &payload).await;
    let retry = with_new_ids(payload, request_id, timestamp);
    [first, deliver(endpoint, &retry).await]
}

/// Delivers `payload` to `endpoint`, signed; the status and the JSON body.
pub async fn deliver(endpoint: &Endpoint, payload: &Value) -> (u16, Value) {
    webhook_test_support::call_signed_by_rossum(endpoint, SECRET, &bytes(payload)).await
}
