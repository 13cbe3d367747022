//! What the create-finished tests share: the delivery, signing, calling the endpoint with a
//! store and an Inkit client, and the DynamoDB Local they may need.

use std::sync::Arc;
use std::time::Duration;

use inkit_client::{InkitApi, InkitClient, InkitConfig};
use inkit_functions::document_create_finished::PendingDetails;
use inkit_stand_in::InkitStandIn;
use record_store::{InkitDocumentDetails, InkitDocumentRecord, InkitRecordStore};
use serde_json::Value;
use webhook_endpoint::Endpoint;
use webhook_function::{Background, Dependencies};
use webhook_test_support::RecordsTable;
use webhook_test_support::inkit_recorder::{self, configured, delivery};

pub use webhook_test_support::inkit_recorder::{RESOURCE_ID, SECRET};
pub use webhook_test_support::inkit_signature as signature;

/// Per attempt and overall, short so that a hanging Inkit costs the tests little.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(300);
pub const DEADLINE: Duration = Duration::from_millis(1200);

pub fn finished() -> Vec<u8> {
    delivery("DOCUMENT_CREATE_FINISHED", RESOURCE_ID)
}

/// The document record of [`RESOURCE_ID`], which must exist, with its details `fetched` or not.
pub async fn document_of(records: &dyn InkitRecordStore, fetched: bool) -> InkitDocumentRecord {
    let document = records
        .inkit_document(RESOURCE_ID)
        .await
        .unwrap()
        .expect("the document's record");
    assert_eq!(document.details_fetched, fetched, "details fetched");
    document
}

/// A client of the stand-in with short timeouts.
pub fn inkit_of(stand_in: &InkitStandIn) -> Arc<dyn InkitApi> {
    client(stand_in.config(ATTEMPT_TIMEOUT, DEADLINE))
}

/// A client configured by `config`.
pub fn client(config: InkitConfig) -> Arc<dyn InkitApi> {
    Arc::new(InkitClient::new(config).unwrap())
}

/// The details of [`RESOURCE_ID`] as recorded from the document the stand-in serves.
pub fn stand_in_details() -> InkitDocumentDetails {
    InkitDocumentDetails {
        id: RESOURCE_ID.to_owned(),
        name: Some("Welcome letter - Jane Doe".to_owned()),
        status: Some("completed".to_owned()),
        render_id: Some("rend_4kXq9r2ZbT0mP1aW8sYcDe".to_owned()),
        folder_id: Some("fold_7Hs3LmQ0vNp2Rt5Uw9XyZa".to_owned()),
        created_at: Some("2026-11-20T09:52:41.512Z".to_owned()),
    }
}

/// The endpoint over `records` and `inkit`, with `pending` completing the details a delivery
/// could not fetch, and a fresh idempotency store.
pub fn endpoint(
    records: Arc<dyn InkitRecordStore>,
    inkit: Arc<dyn InkitApi>,
    pending: Arc<dyn PendingDetails>,
) -> Endpoint {
    let dependencies = Dependencies::given(Background::InProcess)
        .with_inkit_records(records)
        .with_inkit_api(inkit)
        .with_idempotency(webhook_test_support::fresh_idempotency_store());
    inkit_functions::document_create_finished::endpoint(&configured(), &dependencies, pending)
}

/// Calls the endpoint with `pending` completing the details the delivery could not fetch;
/// the status, the `retry-after` header and the JSON body.
pub async fn call_with(
    records: Arc<dyn InkitRecordStore>,
    inkit: Arc<dyn InkitApi>,
    pending: Arc<dyn PendingDetails>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, Value) {
    webhook_test_support::respond(&endpoint(records, inkit, pending), headers, body).await
}

/// Keeps the resources whose details were handed over for later, as the stream does.
#[derive(Default)]
pub struct PendingHandedOver(pub std::sync::Mutex<Vec<String>>);

impl PendingDetails for PendingHandedOver {
    fn details_pending(&self, resource_id: &str, _reason: &str) {
        self.0.lock().unwrap().push(resource_id.to_owned());
    }
}

/// Calls the endpoint with a valid signature.
pub async fn signed(
    records: Arc<dyn InkitRecordStore>,
    inkit: Arc<dyn InkitApi>,
    body: &[u8],
) -> (u16, Value) {
    let pending = Arc::new(PendingHandedOver::default());
    let endpoint = endpoint(records, inkit, pending);
    let (status, _, body) = inkit_recorder::respond_signed(&endpoint, body).await;
    (status, body)
}

/// Delivers [`finished`] with a valid signature: answered 200, as every delivery whose event is
/// recorded is, whatever Inkit answers (Inkit documents no redelivery); the body.
pub async fn delivered(records: Arc<dyn InkitRecordStore>, inkit: Arc<dyn InkitApi>) -> Value {
    let (status, body) = signed(records, inkit, &finished()).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// A new records table in DynamoDB Local whose name no other test uses, and its store.
pub async fn records_table(label: &str) -> RecordsTable {
    RecordsTable::new("inkit-finished", label).await
}

/// The payload as API Gateway delivers it, signed with `secret`.
pub fn api_gateway_event(body: &[u8], secret: &str) -> Vec<u8> {
    inkit_recorder::api_gateway_event(
        inkit_functions::DOCUMENT_CREATE_FINISHED.route,
        body,
        secret,
    )
}
