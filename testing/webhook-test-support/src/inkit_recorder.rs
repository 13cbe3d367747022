//! What the tests of the Inkit functions that only record an event (create-failed, deleted)
//! share: the delivery, signing, calling the endpoint in process, the records table, the
//! API Gateway event. Each test names its function by an [`InkitRecorder`].

use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use idempotency::IdempotencyStore;
use lambda_runtime_stub::RuntimeApi;
use record_store::InkitRecordStore;
use serde_json::{Value, json};
use webhook_endpoint::{Endpoint, EndpointConfig};

use crate::{RecordsTable, inkit_signature};

/// The secret the endpoints under test are configured with.
pub const SECRET: &str = "inkit-webhook-secret-under-test";
/// An Inkit document id of the documented shape.
pub const RESOURCE_ID: &str = "doc_2N0X2g4f3b1JJU75fqzDZs";

/// How a function builds its endpoint (its crate's `endpoint`).
pub type EndpointFn =
    fn(&EndpointConfig, Arc<dyn InkitRecordStore>, Arc<dyn IdempotencyStore>) -> Endpoint;

/// The function under test.
#[derive(Clone, Copy)]
pub struct InkitRecorder {
    pub name: &'static str,
    pub route: &'static str,
    /// The `event_type` it accepts, as Inkit spells it.
    pub event_type: &'static str,
    pub endpoint: EndpointFn,
}

/// An Inkit webhook body.
pub fn delivery(event_type: &str, resource_id: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"event_type": event_type, "resource_id": resource_id})).unwrap()
}

/// `body` as API Gateway delivers it to the Inkit function on `route`, signed with `secret`.
pub fn api_gateway_event(route: &str, body: &[u8], secret: &str) -> Vec<u8> {
    crate::api_gateway_event(
        route,
        &[
            ("user-agent", "Inkit-Webhooks/1.0"),
            ("inkit-signature", &inkit_signature(secret, body)),
        ],
        body,
    )
}

/// Calls `endpoint` with `body` signed by [`SECRET`]; the status, `retry-after` and JSON body.
pub async fn respond_signed(endpoint: &Endpoint, body: &[u8]) -> (u16, Option<String>, Value) {
    let signature = inkit_signature(SECRET, body);
    crate::respond(endpoint, &[("inkit-signature", &signature)], body).await
}

/// The endpoint configuration with [`SECRET`].
pub fn configured() -> EndpointConfig {
    crate::config(&[("INKIT_WEBHOOK_SECRET", SECRET)])
}

impl InkitRecorder {
    /// The function's own event for [`RESOURCE_ID`].
    pub fn own_event(&self) -> Vec<u8> {
        delivery(self.event_type, RESOURCE_ID)
    }

    /// Calls the endpoint; the status, the `retry-after` header and the JSON body. The
    /// idempotency store is new each time, so the tests see what the records store itself
    /// does with a redelivery.
    pub async fn call(
        &self,
        records: Arc<dyn InkitRecordStore>,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Option<String>, Value) {
        let endpoint = (self.endpoint)(&configured(), records, crate::fresh_idempotency_store());
        crate::respond(&endpoint, headers, body).await
    }

    /// Calls the endpoint with a valid signature; the status, `retry-after` and JSON body.
    pub async fn signed_call(
        &self,
        records: Arc<dyn InkitRecordStore>,
        body: &[u8],
    ) -> (u16, Option<String>, Value) {
        let endpoint = (self.endpoint)(&configured(), records, crate::fresh_idempotency_store());
        respond_signed(&endpoint, body).await
    }

    /// Calls the endpoint with a valid signature; the status and JSON body.
    pub async fn signed(&self, records: Arc<dyn InkitRecordStore>, body: &[u8]) -> (u16, Value) {
        let (status, _, body) = self.signed_call(records, body).await;
        (status, body)
    }

    /// Delivers [`Self::own_event`] twice, signed: recorded the first time, a duplicate the
    /// second (the idempotency store is new each time: the records store itself knows).
    pub async fn assert_recorded_once(&self, records: Arc<dyn InkitRecordStore>) {
        assert_eq!(
            self.signed(records.clone(), &self.own_event()).await,
            (200, json!({"recorded": true})),
            "{}: the first delivery",
            self.name
        );
        assert_eq!(
            self.signed(records, &self.own_event()).await,
            (200, json!({"recorded": false, "duplicate": true})),
            "{}: the redelivery",
            self.name
        );
    }

    /// Through the function's binary on `api`, configured with `secret`: its own event is
    /// recorded, its redelivery gets the stored answer, and a forgery is refused with 401.
    pub async fn assert_binary_records_once_and_refuses_a_forgery(
        &self,
        api: &RuntimeApi,
        secret: &str,
    ) {
        let event = self.api_gateway_event(&self.own_event(), secret);
        assert_eq!(
            crate::invoke(api, &event).await,
            (200, json!({"recorded": true})),
            "{}",
            self.name
        );
        assert_eq!(
            crate::invoke(api, &event).await,
            (200, json!({"recorded": true})),
            "{}: the retry gets the stored answer",
            self.name
        );
        let forged = self.api_gateway_event(&self.own_event(), "forged");
        let (status, body) = crate::invoke(api, &forged).await;
        assert_eq!(status, 401, "{}: {body}", self.name);
    }

    /// A client of DynamoDB Local and a new records table whose name no other test uses.
    pub async fn records_table(&self, label: &str) -> (Client, String) {
        crate::records_table(self.name, label).await
    }

    /// A new records table whose name no other test uses, and the records store over it.
    pub async fn records(&self, label: &str) -> RecordsTable {
        RecordsTable::new(self.name, label).await
    }

    /// The payload as API Gateway delivers it, signed with `secret`.
    pub fn api_gateway_event(&self, body: &[u8], secret: &str) -> Vec<u8> {
        api_gateway_event(self.route, body, secret)
    }
}
