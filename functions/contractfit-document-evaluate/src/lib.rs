//! `contractfit-document-evaluate`: contract.fit's `document_evaluate` webhook, which
//! delivers the final, reviewed document JSON once feedback has been given.
//!
//! The JSON is stored whole as a version of the document, with the time it arrived, next to
//! the prediction `document_predict` stored. An evaluate arriving again with different
//! content (another review) is a new version; the same content is a duplicate and writes
//! nothing. After the document's deletion it is stored only when the document's own times
//! show it was produced after the deletion (see `contractfit-store`). 200 only once stored,
//! 503 when the table cannot be written.

use std::sync::Arc;

use contractfit_store::ContractFitStore;
use contractfit_store::webhook::{self, ContractFitFunction, Received, Settings, StoreEventFuture};
use idempotency::IdempotencyStore;
use webhook_endpoint::{Endpoint, EndpointConfig};
use webhook_model::contractfit::{ContractFitEvent, Document};

pub const FUNCTION_NAME: &str = "contractfit-document-evaluate";
pub const ROUTE: &str = "/contractfit/document-evaluate";
pub const EVENT: ContractFitEvent = ContractFitEvent::DocumentEvaluate;

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
        let data: Document = received.data()?;
        Ok(store.store_document(&received.delivery, &data.json).await?)
    })
}
