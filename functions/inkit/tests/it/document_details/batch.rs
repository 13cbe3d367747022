//! The worker's batch handling over the in-memory records and the Inkit stand-in on loopback:
//! which stream records it acts on, what it reports for Lambda to retry, and what it records.

use std::sync::Arc;
use std::time::Duration;

use inkit_client::{InkitApi, InkitClient};
use inkit_functions::document_details::{
    BatchResponse, ItemFailure, StreamEvent, complete_batch, resource_to_complete,
};
use inkit_stand_in::{InkitStandIn, Reply};
use record_store::{InMemoryRecordStore, InkitEvent, InkitRecordStore, Timestamp};
use serde_json::{Value, json};
use webhook_model::inkit::InkitEventType;

const FIRST: &str = "doc_2N0X2g4f3b1JJU75fqzDZs";
const SECOND: &str = "doc_7Qm1Rt5Uw9XyZaHs3LmQ0v";

/// A stream record as Lambda delivers it (`StreamViewType: NEW_IMAGE`).
fn record(event_name: &str, sequence: &str, image: Value) -> Value {
    json!({
        "eventID": format!("id-{sequence}"),
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1795167677.0,
            "Keys": {"pk": image["pk"].clone(), "sk": image["sk"].clone()},
            "NewImage": image,
            "SequenceNumber": sequence,
            "SizeBytes": 240,
            "StreamViewType": "NEW_IMAGE"
        },
        "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/records/stream/2026-11-20T09:41:17.612"
    })
}

fn event_item(event_type: &str, resource_id: &str) -> Value {
    json!({
        "pk": {"S": format!("INKIT#{resource_id}")},
        "sk": {"S": format!("EVENT#{event_type}")},
        "kind": {"S": "inkit_event"},
        "resource_id": {"S": resource_id},
        "event_type": {"S": event_type},
        "received_at": {"S": "2026-11-20T09:41:17.612000Z"},
        "expires_at": {"N": "1795772477"}
    })
}

fn batch(records: Vec<Value>) -> StreamEvent {
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

/// The records the webhook leaves behind when it could not fetch the details.
async fn recorded(resource_ids: &[&str]) -> Arc<InMemoryRecordStore> {
    let store = Arc::new(InMemoryRecordStore::new());
    for resource_id in resource_ids {
        let event = InkitEvent {
            resource_id: (*resource_id).to_owned(),
            event_type: InkitEventType::DocumentCreateFinished,
            received_at: Timestamp::now(),
        };
        store.record_inkit_event(&event).await.unwrap();
    }
    store
}

fn client(stand_in: &InkitStandIn) -> Arc<dyn InkitApi> {
    let config = stand_in.config(Duration::from_millis(300), Duration::from_millis(900));
    Arc::new(InkitClient::new(config).unwrap())
}

fn failures(sequences: &[&str]) -> BatchResponse {
    BatchResponse {
        batch_item_failures: sequences
            .iter()
            .map(|s| ItemFailure {
                item_identifier: (*s).to_owned(),
            })
            .collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_details_are_reported_for_retry_and_recorded_once_inkit_is_back() {
    let store = recorded(&[FIRST, SECOND]).await;
    let stand_in = InkitStandIn::start().await;
    stand_in.by_default(Reply::Json(503, json!({"error": "Service Unavailable"})));
    let records = || {
        batch(vec![
            record(
                "INSERT",
                "300000000000000000002",
                event_item("DOCUMENT_CREATE_FINISHED", SECOND),
            ),
            record(
                "INSERT",
                "29999999999999999999",
                event_item("DOCUMENT_CREATE_FINISHED", FIRST),
            ),
        ])
    };
    let response = complete_batch(records(), store.clone(), client(&stand_in)).await;
    // In sequence order: Lambda retries from the lowest.
    assert_eq!(
        response,
        failures(&["29999999999999999999", "300000000000000000002"])
    );
    assert!(
        !store
            .inkit_document(FIRST)
            .await
            .unwrap()
            .unwrap()
            .details_fetched
    );

    stand_in.by_default(Reply::Document);
    let response = complete_batch(records(), store.clone(), client(&stand_in)).await;
    assert_eq!(response, failures(&[]));
    for resource_id in [FIRST, SECOND] {
        let document = store.inkit_document(resource_id).await.unwrap().unwrap();
        assert!(document.details_fetched, "{resource_id}");
        assert_eq!(document.details.unwrap().id, resource_id);
    }
    assert_eq!(store.inkit_event_count(), 2, "the worker records no event");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_insertion_of_a_finished_documents_event_is_acted_on() {
    let store = recorded(&[FIRST]).await;
    let stand_in = InkitStandIn::start().await;
    let mut document_item = event_item("DOCUMENT_CREATE_FINISHED", FIRST);
    document_item["sk"] = json!({"S": "DOCUMENT"});
    document_item["kind"] = json!({"S": "inkit_document"});
    let response = complete_batch(
        batch(vec![
            record("MODIFY", "1", event_item("DOCUMENT_CREATE_FINISHED", FIRST)),
            record("INSERT", "2", event_item("DOCUMENT_DELETED", FIRST)),
            record("INSERT", "3", document_item),
            record(
                "INSERT",
                "4",
                json!({"pk": {"S": "EXPORT#1"}, "sk": {"S": "EXPORT"}, "kind": {"S": "export"}}),
            ),
        ]),
        store.clone(),
        client(&stand_in),
    )
    .await;
    assert_eq!(response, failures(&[]));
    assert_eq!(stand_in.request_count(), 0, "Inkit is not asked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn details_recorded_already_are_not_fetched_again_and_a_404_is_final() {
    let store = recorded(&[FIRST, SECOND]).await;
    let stand_in = InkitStandIn::start().await;
    let inkit = client(&stand_in);
    let first = || {
        batch(vec![record(
            "INSERT",
            "7",
            event_item("DOCUMENT_CREATE_FINISHED", FIRST),
        )])
    };
    assert_eq!(
        complete_batch(first(), store.clone(), inkit.clone()).await,
        failures(&[])
    );
    assert_eq!(
        complete_batch(first(), store.clone(), inkit.clone()).await,
        failures(&[])
    );
    assert_eq!(stand_in.request_count(), 1, "fetched once");

    stand_in.by_default(Reply::Json(404, json!({"error": "Not found"})));
    let second = batch(vec![record(
        "INSERT",
        "8",
        event_item("DOCUMENT_CREATE_FINISHED", SECOND),
    )]);
    assert_eq!(
        complete_batch(second, store.clone(), inkit).await,
        failures(&[])
    );
    let document = store.inkit_document(SECOND).await.unwrap().unwrap();
    assert_eq!(document.details_unavailable.as_deref(), Some("not_found"));
}

#[test]
fn the_sample_event_reads_as_a_batch_of_one_finished_document() {
    let bytes = include_bytes!("../../../../../events/inkit-document-details.json");
    let event: StreamEvent = serde_json::from_slice(bytes).unwrap();
    let asked: Vec<_> = event
        .records
        .iter()
        .filter_map(resource_to_complete)
        .collect();
    assert_eq!(asked, vec!["doc_2N0X2g4f3b1JJU75fqzDZs"]);
}
