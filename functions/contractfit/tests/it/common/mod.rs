//! The five functions as the tests see them, and what their tests share besides
//! `webhook-test-support`: the token they are configured with and an endpoint's answer.

pub mod checks;

use std::sync::Arc;

use contractfit_functions::{ContractFitFunction, Settings};
use contractfit_store::{
    ContractFitStore, Delivery, DynamoContractFitStore, InMemoryContractFitStore,
};
use idempotency::InMemoryIdempotencyStore;
use serde_json::{Value, json};
use webhook_endpoint::{Endpoint, EndpointConfig, env_names};
use webhook_model::contractfit::{ContractFitEvent, DocumentId};
use webhook_test_support::{RecordsTable, bearer, config, respond};

/// The token the endpoints under test are configured with.
pub const TOKEN: &str = "contractfit-token-under-test";
/// The published development token (`events/` and the local server use it).
pub const DEVELOPMENT_TOKEN: &str = "contractfit-development-token";
/// The organisation of the sample payloads.
pub const ORGANIZATION: &str = "contractfit1";

/// One contract.fit function, as its tests see it.
#[derive(Debug, Clone)]
pub struct FunctionUnderTest {
    pub function: ContractFitFunction,
    /// Its sample payload (`events/payloads/<function>.json`).
    pub payload: &'static [u8],
    /// Its built Lambda binary.
    pub binary: &'static str,
}

/// `pub const $name: FunctionUnderTest` for each `$name: $function, "$binary";` row: the
/// `contractfit_functions` registry entry `$function`, its sample payload
/// (`events/payloads/$binary.json`) and its built binary `$binary`.
macro_rules! functions_under_test {
    ($($name:ident: $function:ident, $binary:literal;)+) => {
        $(
            pub const $name: FunctionUnderTest = FunctionUnderTest {
                function: contractfit_functions::$function,
                payload: include_bytes!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../events/payloads/",
                    $binary,
                    ".json"
                )),
                binary: env!(concat!("CARGO_BIN_EXE_", $binary)),
            };
        )+
    };
}

functions_under_test! {
    TEXT: DOCUMENT_TEXT, "contractfit-document-text";
    SPLIT: DOCUMENT_SPLIT, "contractfit-document-split";
    PREDICT: DOCUMENT_PREDICT, "contractfit-document-predict";
    EVALUATE: DOCUMENT_EVALUATE, "contractfit-document-evaluate";
    DELETE: DOCUMENT_DELETE, "contractfit-document-delete";
}

/// One test per `test: check` pair, each running `common::checks::check` on `$function`, with
/// `$attribute` (`#[tokio::test]`, or a multi-threaded one) as its test attribute.
macro_rules! check_tests {
    (#[$attribute:meta] $function:expr => { $($test:ident: $check:ident),+ $(,)? }) => {
        $(
            #[$attribute]
            async fn $test() {
                crate::common::checks::$check(&$function).await;
            }
        )+
    };
}
pub(crate) use check_tests;

/// An endpoint configuration whose contract.fit token is [`TOKEN`].
pub fn configured() -> EndpointConfig {
    config(&[(env_names::CONTRACTFIT_TOKEN, TOKEN)])
}

impl FunctionUnderTest {
    /// The endpoint configured with [`TOKEN`], accepting any organisation.
    pub fn endpoint(&self, store: Arc<dyn ContractFitStore>) -> Endpoint {
        self.endpoint_with_settings(store, Settings::default())
    }

    /// The endpoint configured with [`TOKEN`] and `settings`, with an idempotency store of
    /// its own.
    pub fn endpoint_with_settings(
        &self,
        store: Arc<dyn ContractFitStore>,
        settings: Settings,
    ) -> Endpoint {
        self.function.endpoint_with_settings(
            &configured(),
            store,
            Arc::new(InMemoryIdempotencyStore::new()),
            settings,
        )
    }

    /// The sample delivered, authorised, to the endpoint over a new in-memory store: answered
    /// 200; the store and the answer.
    pub async fn sample_stored(&self) -> (Arc<InMemoryContractFitStore>, Answer) {
        let store = Arc::new(InMemoryContractFitStore::new());
        let answer = authorised(&self.endpoint(store.clone()), self.payload).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        (store, answer)
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

/// A delivery of `event` for the document `id` carrying `data`, received now.
fn delivery(event: ContractFitEvent, id: &DocumentId, data: &Value) -> Delivery {
    Delivery::new(event, id.clone(), data, contractfit_store::now())
}

/// `text` stored in `store` for the document `id` as a `document_text` delivery stores it;
/// that delivery.
pub async fn text_stored(store: &dyn ContractFitStore, id: &DocumentId, text: &str) -> Delivery {
    let data = json!({"id": id.as_str(), "text": text});
    let text_delivery = delivery(ContractFitEvent::DocumentText, id, &data);
    store.store_text(&text_delivery, text).await.unwrap();
    text_delivery
}

/// `document` stored in `store` for the document `id` as a `document_predict` delivery
/// stores it.
pub async fn prediction_stored(store: &dyn ContractFitStore, id: &DocumentId, document: &Value) {
    let predict = delivery(ContractFitEvent::DocumentPredict, id, document);
    store.store_document(&predict, document).await.unwrap();
}

/// A new records table in DynamoDB Local whose name no other test uses, and the contract.fit
/// store over it.
pub async fn contractfit_table(label: &str) -> (RecordsTable, Arc<DynamoContractFitStore>) {
    let records = RecordsTable::new("contractfit", label).await;
    let store = DynamoContractFitStore::new(records.client.clone(), &records.name);
    (records, Arc::new(store))
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
    let (status, retry_after, body) = respond(endpoint, headers, body).await;
    Answer {
        status,
        retry_after,
        body,
    }
}

/// Calls `endpoint` with `Authorization: Bearer <TOKEN>`.
pub async fn authorised(endpoint: &Endpoint, body: &[u8]) -> Answer {
    call(endpoint, &[("authorization", &bearer(TOKEN))], body).await
}
