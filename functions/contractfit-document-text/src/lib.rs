//! `contractfit-document-text`: contract.fit's `document_text` webhook, which delivers the
//! OCR text of a document (`{"id", "text"}`; the text can run to megabytes).
//!
//! The text is stored byte for byte in the records table, once per document: a redelivery
//! changes nothing, a different text for the same document replaces the stored one, and a
//! text larger than a DynamoDB item is compressed and stored in parts that are read back
//! whole and checked (see `contractfit-store`). The answer is 200 only once the text is
//! stored; 503 when it cannot be, so that contract.fit retries. The text itself is never
//! logged.

use std::sync::Arc;

use contractfit_store::ContractFitStore;
use contractfit_store::webhook::{self, ContractFitFunction, Received, Settings, StoreEventFuture};
use idempotency::IdempotencyStore;
use webhook_endpoint::{Endpoint, EndpointConfig};
use webhook_model::contractfit::{ContractFitEvent, DocumentText};

pub const FUNCTION_NAME: &str = "contractfit-document-text";
pub const ROUTE: &str = "/contractfit/document-text";
pub const EVENT: ContractFitEvent = ContractFitEvent::DocumentText;

/// The endpoint served by the Lambda binary and by the local server, behind the
/// idempotency guard (a retry replays the stored answer); `CONTRACTFIT_ORGANIZATION`
/// is read from the environment.
pub fn endpoint(
    config: &EndpointConfig,
    store: Arc<dyn ContractFitStore>,
    idempotency_store: Arc<dyn IdempotencyStore>,
) -> Endpoint {
    endpoint_with_settings(config, store, idempotency_store, Settings::from_env())
}

/// The endpoint with explicit settings (tests, embedding).
pub fn endpoint_with_settings(
    config: &EndpointConfig,
    store: Arc<dyn ContractFitStore>,
    idempotency_store: Arc<dyn IdempotencyStore>,
    settings: Settings,
) -> Endpoint {
    let function = ContractFitFunction {
        name: FUNCTION_NAME,
        route: ROUTE,
        event: EVENT,
        store_event,
    };
    webhook::endpoint(function, config, store, idempotency_store, settings)
}

fn store_event<'a>(
    store: &'a dyn ContractFitStore,
    received: &'a Received,
) -> StoreEventFuture<'a> {
    Box::pin(async move {
        let data: DocumentText = received.data()?;
        Ok(store.store_text(&received.delivery, &data.text).await?)
    })
}
