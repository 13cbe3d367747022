//! The request steps every contract.fit function takes; a function supplies only how its own
//! event is stored ([`ContractFitFunction::store_event`]).
//!
//! After the endpoint has checked the `Authorization: Bearer <token>` header:
//!
//! 1. the envelope is parsed (400 when it is not `{"event", "organization", "data"}` JSON);
//! 2. with `CONTRACTFIT_ORGANIZATION` set, a delivery of another organisation is refused with
//!    403 ([`Settings`]);
//! 3. `document_fail` and `document_reject` are recorded and acknowledged at every
//!    contract.fit route, because an integration may list them next to any event; any other
//!    event but the function's own is refused with 422 naming the one expected;
//! 4. `data.id` is read (400 when absent or not an id) and the delivery key computed;
//! 5. the event is stored, and only then answered with 200:
//!    `{"event", "document_id", "outcome": "stored" | "duplicate" | "document_deleted",
//!    "stored": bool}`. A store failure is a 503, which contract.fit retries.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::json;
use webhook_endpoint::{
    Body, Delivery as VerifiedDelivery, Endpoint, EndpointConfig, LambdaError, Response,
    SecretSource, Verifier, WebhookError, env_names, init_tracing, json_response, parse_json,
    run_lambda,
};
use webhook_model::contractfit::{ContractFitEvent, Document, DocumentRef, Envelope};

use crate::{ContractFitStore, Delivery, StoreError, Stored, contractfit_store_from_env, now};

/// Restricts the accepted `organization` when set (and not empty).
pub const ORGANIZATION_ENV: &str = "CONTRACTFIT_ORGANIZATION";

/// What the functions read from their environment besides the endpoint configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// The only organisation whose deliveries are accepted; `None` accepts any.
    pub organization: Option<String>,
}

impl Settings {
    /// Reads `CONTRACTFIT_ORGANIZATION` from the process environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            organization: lookup(ORGANIZATION_ENV)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty()),
        }
    }

    /// Accepts only `organization`.
    pub fn for_organization(organization: &str) -> Self {
        Self {
            organization: Some(organization.to_owned()),
        }
    }

    fn check_organization(&self, envelope: &Envelope) -> Result<(), WebhookError> {
        let Some(expected) = &self.organization else {
            return Ok(());
        };
        match envelope.organization.as_deref().map(str::trim) {
            Some(sent) if sent == expected => Ok(()),
            // Names neither organisation: which one this deployment serves is its own business.
            Some(_) => Err(WebhookError::Forbidden(
                "this endpoint accepts deliveries of one contract.fit organisation, and this delivery is from another".to_owned(),
            )),
            None => Err(WebhookError::Forbidden(
                "this endpoint accepts deliveries of one contract.fit organisation, and this delivery names none".to_owned(),
            )),
        }
    }
}

/// A verified, parsed delivery on its way to the store.
#[derive(Debug, Clone)]
pub struct Received {
    pub envelope: Envelope,
    pub delivery: Delivery,
}

impl Received {
    /// `data` read as `T`; a 400 naming the field when it is not.
    pub fn data<T: DeserializeOwned>(&self) -> Result<T, WebhookError> {
        self.envelope
            .data_as()
            .map_err(|e| WebhookError::MalformedBody(e.to_string()))
    }
}

pub type StoreEventFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Stored, WebhookError>> + Send + 'a>>;

/// Stores a function's own event: reads `data` and calls the store.
pub type StoreEvent = for<'a> fn(&'a dyn ContractFitStore, &'a Received) -> StoreEventFuture<'a>;

/// One contract.fit function: its name, route, event and how that event is stored.
#[derive(Debug, Clone)]
pub struct ContractFitFunction {
    /// The function's name, as its binary and template resource are named.
    pub name: &'static str,
    /// The HTTP path it is served at.
    pub route: &'static str,
    /// The event it handles (besides `document_fail` and `document_reject`).
    pub event: ContractFitEvent,
    pub store_event: StoreEvent,
}

impl From<StoreError> for WebhookError {
    fn from(error: StoreError) -> Self {
        WebhookError::Unavailable(error.to_string())
    }
}

/// The endpoint of `function`, served by its Lambda binary and by the local server.
pub fn endpoint(
    function: ContractFitFunction,
    config: &EndpointConfig,
    store: Arc<dyn ContractFitStore>,
    settings: Settings,
) -> Endpoint {
    let (name, route) = (function.name, function.route);
    let function = Arc::new(function);
    let settings = Arc::new(settings);
    Endpoint::new(
        name,
        route,
        Verifier::ContractFit(config.contractfit.clone()),
        move |delivery| handle(function.clone(), store.clone(), settings.clone(), delivery),
    )
    .with_max_body_bytes(config.max_body_bytes)
}

async fn handle(
    function: Arc<ContractFitFunction>,
    store: Arc<dyn ContractFitStore>,
    settings: Arc<Settings>,
    verified: VerifiedDelivery,
) -> Result<Response<Body>, WebhookError> {
    let envelope: Envelope = parse_json(verified.body())?;
    // The envelope holds everything now; the raw copy (up to 6 MB) is not kept twice.
    drop(verified);
    settings.check_organization(&envelope)?;
    let own = envelope.event == function.event;
    if !own && !is_acknowledged_anywhere(&envelope.event) {
        return Err(WebhookError::WrongEvent(format!(
            "this endpoint handles {} (and records document_fail and document_reject); it received {}",
            function.event, envelope.event
        )));
    }
    let document_id = envelope
        .document_id()
        .map_err(|e| WebhookError::MalformedBody(e.to_string()))?;
    let delivery = Delivery::new(envelope.event.clone(), document_id, &envelope.data, now());
    let received = Received { envelope, delivery };
    let stored = if own {
        (function.store_event)(store.as_ref(), &received).await?
    } else {
        store_fail_or_reject(store.as_ref(), &received).await?
    };
    let delivery = &received.delivery;
    tracing::info!(
        function = function.name,
        event = delivery.event.as_str(),
        document_id = delivery.document_id.as_str(),
        outcome = stored.as_str(),
        "contract.fit delivery"
    );
    Ok(json_response(
        200,
        &json!({
            "event": delivery.event.as_str(),
            "document_id": delivery.document_id.as_str(),
            "outcome": stored.as_str(),
            "stored": stored == Stored::Stored,
        }),
    ))
}

/// Events recorded at every contract.fit route rather than refused as another function's.
fn is_acknowledged_anywhere(event: &ContractFitEvent) -> bool {
    matches!(
        event,
        ContractFitEvent::DocumentFail | ContractFitEvent::DocumentReject
    )
}

async fn store_fail_or_reject(
    store: &dyn ContractFitStore,
    received: &Received,
) -> Result<Stored, WebhookError> {
    let delivery = &received.delivery;
    if delivery.event == ContractFitEvent::DocumentReject {
        let document: Document = received.data()?;
        Ok(store.store_document(delivery, &document.json).await?)
    } else {
        let _: DocumentRef = received.data()?;
        Ok(store
            .record_failure(delivery, &received.envelope.data)
            .await?)
    }
}

/// The `main` of a contract.fit Lambda binary: configuration and store from the
/// environment (problems logged at start-up), then the Lambda runtime loop.
pub async fn run_function(
    endpoint: fn(&EndpointConfig, Arc<dyn ContractFitStore>) -> Endpoint,
) -> Result<(), LambdaError> {
    init_tracing();
    let config = EndpointConfig::from_env(SecretSource::Environment);
    config.log_startup_findings(&[env_names::CONTRACTFIT_TOKEN]);
    if let Some(organization) = Settings::from_env().organization {
        tracing::info!(
            "accepting deliveries of the contract.fit organisation {organization:?} only"
        );
    }
    let store = contractfit_store_from_env().await;
    run_lambda(endpoint(&config, store)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(organization: Option<&str>) -> Envelope {
        serde_json::from_value(json!({
            "event": "document_delete",
            "organization": organization,
            "data": {"id": "5e7a0df1800de5422a6f7776"}
        }))
        .unwrap()
    }

    #[test]
    fn the_organisation_is_checked_only_when_configured() {
        let any = Settings::from_lookup(|_| Some("  ".to_owned()));
        assert_eq!(any, Settings::default());
        assert!(any.check_organization(&envelope(Some("other"))).is_ok());
        assert!(any.check_organization(&envelope(None)).is_ok());

        let one = Settings::from_lookup(|name| {
            (name == ORGANIZATION_ENV).then(|| " contractfit1 ".to_owned())
        });
        assert_eq!(one, Settings::for_organization("contractfit1"));
        assert!(
            one.check_organization(&envelope(Some("contractfit1")))
                .is_ok()
        );
        for other in [Some("contractfit2"), Some("CONTRACTFIT1"), None] {
            let refused = one.check_organization(&envelope(other)).unwrap_err();
            assert_eq!(refused.status(), 403);
            assert!(!refused.to_string().contains("contractfit1"), "{refused}");
        }
    }
}
