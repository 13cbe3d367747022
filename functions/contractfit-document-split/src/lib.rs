//! `contractfit-document-split`: contract.fit's `document_split` webhook, which delivers the
//! sections a document was split into (`{"id", "sections": [{"document_type", "format",
//! "confidence", "page"}]}`).
//!
//! `confidence` and `page` arrive as strings (`"91"`, `"0"`); each is stored as sent and, when
//! it is one, as a number (`confidence_value`, `page_value`), so that queries can compare
//! them. A redelivery changes nothing; a different split of the same document replaces the
//! stored sections. 200 only once stored, 503 when the table cannot be written.

use std::sync::Arc;

use contractfit_store::ContractFitStore;
use contractfit_store::webhook::{self, ContractFitFunction, Received, Settings, StoreEventFuture};
use idempotency::IdempotencyStore;
use webhook_endpoint::{Endpoint, EndpointConfig};
use webhook_model::contractfit::{ContractFitEvent, DocumentSplit};

pub const FUNCTION_NAME: &str = "contractfit-document-split";
pub const ROUTE: &str = "/contractfit/document-split";
pub const EVENT: ContractFitEvent = ContractFitEvent::DocumentSplit;

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
        let data: DocumentSplit = received.data()?;
        Ok(store
            .store_sections(&received.delivery, &data.sections)
            .await?)
    })
}
