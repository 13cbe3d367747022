//! `contractfit-document-delete`: contract.fit's `document_delete` webhook (`{"id"}`), sent
//! when a document is deleted.
//!
//! Every item stored about the document (text and its parts, sections, versions, failures,
//! delivery keys) is removed from the records table and a deletion marker with `deleted_at`
//! is kept, so that late retries of earlier events do not bring the document back (see
//! `contractfit-store` for the one exception). A redelivered delete is a duplicate. 200 only
//! once the document is removed, 503 when the table cannot be written.

use std::sync::Arc;

use contractfit_store::ContractFitStore;
use contractfit_store::webhook::{self, ContractFitFunction, Received, Settings, StoreEventFuture};
use idempotency::IdempotencyStore;
use webhook_endpoint::{Endpoint, EndpointConfig};
use webhook_model::contractfit::{ContractFitEvent, DocumentRef};

pub const FUNCTION_NAME: &str = "contractfit-document-delete";
pub const ROUTE: &str = "/contractfit/document-delete";
pub const EVENT: ContractFitEvent = ContractFitEvent::DocumentDelete;

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
        let _: DocumentRef = received.data()?;
        Ok(store.delete_document(&received.delivery).await?)
    })
}
