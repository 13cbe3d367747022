//! The request steps every contract.fit function takes; a function supplies only how its own
//! event is stored ([`ContractFitFunction::store_event`]).
//!
//! After the endpoint has checked the `Authorization: Bearer <token>` header, the idempotency
//! guard takes the delivery's key ([`idempotency_key`]): a retry of a delivery already
//! answered 200 gets that answer again, one still being handled 429, and neither runs the
//! steps below:
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

use idempotency::{DeliveryKey, IdempotencyStore};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use webhook_endpoint::{
    Body, Delivery as VerifiedDelivery, Endpoint, EndpointConfig, Response, Verifier, WebhookError,
    json_response, parse_json,
};
use webhook_model::contractfit::{ContractFitEvent, Document, DocumentRef, Envelope};

use contractfit_store::{ContractFitStore, Delivery, Stored, canonical_json, now, sha256_hex};

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

impl ContractFitFunction {
    /// The endpoint served by the Lambda binary and by the local server, behind the
    /// idempotency guard keyed by [`idempotency_key`] (a retry replays the stored answer);
    /// `CONTRACTFIT_ORGANIZATION` is read from the environment.
    pub fn endpoint(
        &self,
        config: &EndpointConfig,
        store: Arc<dyn ContractFitStore>,
        idempotency_store: Arc<dyn IdempotencyStore>,
    ) -> Endpoint {
        let settings = Settings::from_env();
        if let Some(organization) = &settings.organization {
            tracing::info!(
                function = self.name,
                "accepting deliveries of the contract.fit organisation {organization:?} only"
            );
        }
        self.endpoint_with_settings(config, store, idempotency_store, settings)
    }

    /// The endpoint with explicit settings (tests, embedding).
    pub fn endpoint_with_settings(
        &self,
        config: &EndpointConfig,
        store: Arc<dyn ContractFitStore>,
        idempotency_store: Arc<dyn IdempotencyStore>,
        settings: Settings,
    ) -> Endpoint {
        let (name, route) = (self.name, self.route);
        let function = Arc::new(self.clone());
        let settings = Arc::new(settings);
        Endpoint::new(
            name,
            route,
            Verifier::ContractFit(config.contractfit.clone()),
            idempotency::guarded(idempotency_store, name, idempotency_key, move |delivery| {
                handle(function.clone(), store.clone(), settings.clone(), delivery)
            }),
        )
        .with_max_body_bytes(config.max_body_bytes)
    }
}

/// The idempotency key of a contract.fit delivery: `<event>#<data.id>#<SHA-256 of data's
/// canonical JSON>`, the identity the store de-duplicates by (contract.fit's retries repeat
/// it); validated by the SHA-256 of the whole envelope's canonical JSON, which holds nothing
/// that changes between retries.
pub fn idempotency_key(body: &[u8]) -> Result<Option<DeliveryKey>, WebhookError> {
    let envelope: Value = parse_json(body)?;
    let malformed = |m: &str| WebhookError::MalformedBody(m.to_owned());
    let event = envelope
        .get("event")
        .and_then(Value::as_str)
        .filter(|e| (1..=64).contains(&e.len()) && !e.contains(char::is_control))
        .ok_or_else(|| malformed("'event' must be an event name"))?;
    let data = envelope
        .get("data")
        .ok_or_else(|| malformed("a contract.fit delivery needs 'data'"))?;
    let document_id: webhook_model::contractfit::DocumentId = data
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("'data.id' must be a document id"))?
        .parse()
        .map_err(|e| WebhookError::MalformedBody(format!("data.id: {e}")))?;
    let data_sha256 = sha256_hex(canonical_json(data).as_bytes());
    Ok(Some(DeliveryKey {
        key: format!("{event}#{}#{data_sha256}", document_id.as_str()),
        validation: sha256_hex(canonical_json(&envelope).as_bytes()),
    }))
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
    fn retries_share_the_key_and_other_data_gets_another() {
        let delivery = json!({"event": "document_delete", "organization": "o",
                              "data": {"id": "5e7a0df1800de5422a6f7776"}});
        let reordered = br#"{"data": {"id": "5e7a0df1800de5422a6f7776"}, "organization": "o", "event": "document_delete"}"#;
        let key = idempotency_key(&serde_json::to_vec(&delivery).unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(idempotency_key(reordered).unwrap(), Some(key.clone()));
        assert!(
            key.key
                .starts_with("document_delete#5e7a0df1800de5422a6f7776#"),
            "{}",
            key.key
        );

        let mut other = delivery.clone();
        other["data"]["reason"] = json!("again");
        assert_ne!(
            idempotency_key(&serde_json::to_vec(&other).unwrap())
                .unwrap()
                .unwrap()
                .key,
            key.key
        );
        let no_id = json!({"event": "document_delete", "data": {}});
        let refused = idempotency_key(&serde_json::to_vec(&no_id).unwrap()).unwrap_err();
        assert_eq!(refused.status(), 400);
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
