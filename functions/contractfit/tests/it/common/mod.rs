//! The five functions as the tests see them, and what their tests share besides
//! `webhook-test-support`: the token they are configured with and an endpoint's answer.

pub mod checks;

use std::sync::Arc;

use contractfit_functions::{ContractFitFunction, Settings};
use contractfit_store::ContractFitStore;
use idempotency::InMemoryIdempotencyStore;
use serde_json::{Value, json};
use webhook_endpoint::{Endpoint, EndpointConfig, env_names};
use webhook_model::contractfit::DocumentId;
use webhook_test_support::{bearer, config, respond};

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

pub const TEXT: FunctionUnderTest = FunctionUnderTest {
    function: contractfit_functions::DOCUMENT_TEXT,
    payload: include_bytes!("../../../../../events/payloads/contractfit-document-text.json"),
    binary: env!("CARGO_BIN_EXE_contractfit-document-text"),
};

pub const SPLIT: FunctionUnderTest = FunctionUnderTest {
    function: contractfit_functions::DOCUMENT_SPLIT,
    payload: include_bytes!("../../../../../events/payloads/contractfit-document-split.json"),
    binary: env!("CARGO_BIN_EXE_contractfit-document-split"),
};

pub const PREDICT: FunctionUnderTest = FunctionUnderTest {
    function: contractfit_functions::DOCUMENT_PREDICT,
    payload: include_bytes!("../../../../../events/payloads/contractfit-document-predict.json"),
    binary: env!("CARGO_BIN_EXE_contractfit-document-predict"),
};

pub const EVALUATE: FunctionUnderTest = FunctionUnderTest {
    function: contractfit_functions::DOCUMENT_EVALUATE,
    payload: include_bytes!("../../../../../events/payloads/contractfit-document-evaluate.json"),
    binary: env!("CARGO_BIN_EXE_contractfit-document-evaluate"),
};

pub const DELETE: FunctionUnderTest = FunctionUnderTest {
    function: contractfit_functions::DOCUMENT_DELETE,
    payload: include_bytes!("../../../../../events/payloads/contractfit-document-delete.json"),
    binary: env!("CARGO_BIN_EXE_contractfit-document-delete"),
};

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
