//! What every Inkit webhook refuses, one table over the three (create-finished, create-failed,
//! deleted) with the in-memory records: signatures, other event types, malformed bodies and an
//! unavailable records table. Nothing refused is recorded, and Inkit is never asked.

use std::sync::Arc;

use inkit_stand_in::InkitStandIn;
use record_store::{InMemoryRecordStore, InkitRecordStore, UnavailableRecordStore};
use serde_json::Value;
use webhook_endpoint::Endpoint;
use webhook_test_support::inkit_recorder::{
    RESOURCE_ID, SECRET, configured, delivery, respond_signed,
};
use webhook_test_support::{fresh_idempotency_store, inkit_signature, respond};

use crate::document_create_finished::common as finished;
use crate::support::{CREATE_FAILED, DELETED};

/// A webhook under test and what it is sent.
struct Webhook<'a> {
    name: &'static str,
    /// The `event_type` it accepts.
    event_type: &'static str,
    /// Its endpoint over these records (and a fresh idempotency store).
    endpoint: Box<dyn Fn(Arc<dyn InkitRecordStore>) -> Endpoint + 'a>,
    /// Event types of other webhooks it must refuse.
    other_event_types: &'static [&'static str],
    /// Bodies it cannot record.
    malformed: Vec<Vec<u8>>,
}

impl Webhook<'_> {
    fn own_event(&self) -> Vec<u8> {
        delivery(self.event_type, RESOURCE_ID)
    }

    async fn call(
        &self,
        records: Arc<dyn InkitRecordStore>,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Option<String>, Value) {
        respond(&(self.endpoint)(records), headers, body).await
    }

    async fn signed(
        &self,
        records: Arc<dyn InkitRecordStore>,
        body: &[u8],
    ) -> (u16, Option<String>, Value) {
        respond_signed(&(self.endpoint)(records), body).await
    }
}

/// The three webhooks; create-finished asks `stand_in` for the document's details.
fn webhooks(stand_in: &InkitStandIn) -> Vec<Webhook<'_>> {
    let long_id = "d".repeat(257);
    vec![
        Webhook {
            name: "inkit-document-create-finished",
            event_type: "DOCUMENT_CREATE_FINISHED",
            endpoint: Box::new(|records| {
                finished::endpoint(
                    records,
                    finished::inkit_of(stand_in),
                    Arc::new(finished::PendingHandedOver::default()),
                )
            }),
            other_event_types: &[
                "DOCUMENT_DELETED",
                "DOCUMENT_CREATE_FAILED",
                "TEMPLATE_CREATED",
            ],
            malformed: vec![
                b"not json".to_vec(),
                br#"{"event_type": "DOCUMENT_CREATE_FINISHED"}"#.to_vec(),
                br#"{"event_type": "DOCUMENT_CREATE_FINISHED", "resource_id": 7}"#.to_vec(),
                delivery("DOCUMENT_CREATE_FINISHED", ""),
                delivery("DOCUMENT_CREATE_FINISHED", "doc_\n1"),
                delivery("DOCUMENT_CREATE_FINISHED", &long_id),
            ],
        },
        Webhook {
            name: CREATE_FAILED.name,
            event_type: CREATE_FAILED.event_type,
            endpoint: Box::new(|records| {
                (CREATE_FAILED.endpoint)(&configured(), records, fresh_idempotency_store())
            }),
            other_event_types: &[
                "DOCUMENT_CREATE_FINISHED",
                "DOCUMENT_DELETED",
                "RENDER_CREATE_FAILED",
            ],
            malformed: vec![
                b"[]".to_vec(),
                br#"{"resource_id": "doc_1"}"#.to_vec(),
                delivery("DOCUMENT_CREATE_FAILED", " "),
            ],
        },
        Webhook {
            name: DELETED.name,
            event_type: DELETED.event_type,
            endpoint: Box::new(|records| {
                (DELETED.endpoint)(&configured(), records, fresh_idempotency_store())
            }),
            other_event_types: &["DOCUMENT_CREATE_FINISHED", "FOLDER_DELETED"],
            malformed: vec![
                b"".to_vec(),
                br#"{"event_type": "DOCUMENT_DELETED", "resource_id": null}"#.to_vec(),
            ],
        },
    ]
}

/// Runs `check` on every webhook with in-memory records of its own; then none of them holds
/// anything and Inkit was never asked.
async fn for_each_webhook(check: impl AsyncFn(&Webhook<'_>, Arc<InMemoryRecordStore>)) {
    let stand_in = InkitStandIn::start().await;
    for webhook in webhooks(&stand_in) {
        let records = Arc::new(InMemoryRecordStore::new());
        check(&webhook, records.clone()).await;
        assert_eq!(records.inkit_event_count(), 0, "{}", webhook.name);
    }
    assert_eq!(stand_in.request_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_signature_is_401_and_records_nothing() {
    for_each_webhook(async |webhook, records| {
        let body = webhook.own_event();
        let forged = inkit_signature("another-secret", &body);
        // Signed over other bytes than those sent.
        let other_bytes = inkit_signature(SECRET, b"{}");
        for headers in [
            vec![],
            vec![("inkit-signature", forged.as_str())],
            vec![("inkit-signature", "not-hex")],
            vec![("inkit-signature", other_bytes.as_str())],
        ] {
            let (status, _, answer) = webhook.call(records.clone(), &headers, &body).await;
            assert_eq!(status, 401, "{}, {headers:?}: {answer}", webhook.name);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_event_type_is_422_naming_the_expected_one() {
    for_each_webhook(async |webhook, records| {
        let name = webhook.name;
        for event_type in webhook.other_event_types {
            let body = delivery(event_type, RESOURCE_ID);
            let (status, _, body) = webhook.signed(records.clone(), &body).await;
            assert_eq!(status, 422, "{name}, {event_type}: {body}");
            assert_eq!(body["error"], "wrong_event", "{name}, {event_type}");
            let message = body["messages"][0]["content"].as_str().unwrap();
            assert!(message.contains(webhook.event_type), "{name}: {message}");
            assert!(message.contains(event_type), "{name}: {message}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_body_is_400() {
    for_each_webhook(async |webhook, records| {
        for body in &webhook.malformed {
            let (status, _, answer) = webhook.signed(records.clone(), body).await;
            let sent = String::from_utf8_lossy(body);
            assert_eq!(status, 400, "{}, {sent}: {answer}", webhook.name);
            assert_eq!(
                answer["error"], "malformed_body",
                "{}, {sent}",
                webhook.name
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unavailable_records_table_is_503_before_inkit_is_asked() {
    for_each_webhook(async |webhook, _| {
        let records = Arc::new(UnavailableRecordStore::new(
            "the records table is not configured",
        ));
        let (status, retry_after, answer) = webhook.signed(records, &webhook.own_event()).await;
        assert_eq!(status, 503, "{}: {answer}", webhook.name);
        assert_eq!(retry_after.as_deref(), Some("5"), "{}", webhook.name);
    })
    .await;
}
