//! The publisher against a loopback stand-in of EventBridge's JSON protocol, through the real
//! SDK client: what it puts, how it cuts requests, and that entries EventBridge fails are
//! sent again or handed back to the stream, never dropped.

mod stand_in;

use std::time::Duration;

use domain_events::{StreamEvent, event_of};
use downstream_functions::{Bus, Retries, publish_batch};
use serde_json::{Value, json};
use stand_in::EventBridgeStandIn;

const ARN: &str =
    "arn:aws:dynamodb:eu-west-1:123456789012:table/records/stream/2026-11-20T09:41:17.612";

fn quick() -> Retries {
    Retries {
        attempts: 3,
        first_delay: Duration::from_millis(5),
    }
}

/// The insertion of export record `n`, at sequence number `100 + n`.
fn export_record(n: u64) -> Value {
    let image = json!({
        "pk": {"S": format!("EXPORT#{n}")}, "sk": {"S": "EXPORT"}, "kind": {"S": "export"},
        "annotation_id": {"N": n.to_string()}, "vendor_id": {"S": "V-1001"},
        "exported_at": {"S": "2026-11-20T09:52:44.118204Z"}, "status": {"S": "ready"}
    });
    json!({
        "eventName": "INSERT", "eventSource": "aws:dynamodb", "eventSourceARN": ARN,
        "dynamodb": {"ApproximateCreationDateTime": 1795167677.0, "NewImage": image,
                     "Keys": {"pk": image["pk"], "sk": image["sk"]},
                     "SequenceNumber": (100 + n).to_string()}
    })
}

/// A record that stands for no event (the latest status).
fn latest_record(sequence: u64) -> Value {
    json!({
        "eventName": "INSERT", "eventSource": "aws:dynamodb", "eventSourceARN": ARN,
        "dynamodb": {"NewImage": {"pk": {"S": "ANNOTATION#1"}, "sk": {"S": "LATEST"}, "kind": {"S": "latest_status"}},
                     "SequenceNumber": sequence.to_string()}
    })
}

fn batch(records: Vec<Value>) -> StreamEvent {
    serde_json::from_value(json!({"Records": records})).unwrap()
}

fn event_id(record: &Value) -> String {
    let event = batch(vec![record.clone()]);
    event_of(&event.records[0]).unwrap().event_id().to_owned()
}

fn sequences(outcome: &downstream_functions::Outcome) -> Vec<&str> {
    outcome
        .response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect()
}

#[tokio::test]
async fn every_event_is_put_on_the_bus_as_the_mapping_makes_it() {
    let stand_in = EventBridgeStandIn::start().await;
    let bus = Bus::connect(Some(&stand_in.url), "webhooks-events").await;
    let records = vec![export_record(1), latest_record(50), export_record(2)];
    let outcome = publish_batch(batch(records.clone()), &bus, quick()).await;
    assert_eq!(sequences(&outcome), Vec::<&str>::new());
    assert_eq!((outcome.published, outcome.skipped), (2, 1));
    assert_eq!(stand_in.malformed(), Vec::<String>::new());
    let taken = stand_in.taken();
    assert_eq!(taken.len(), 2);
    let expected = event_of(&batch(vec![records[0].clone()]).records[0]).unwrap();
    assert_eq!(taken[0]["Source"], "webhooks.rossum");
    assert_eq!(taken[0]["DetailType"], "Export Ready");
    assert_eq!(taken[0]["EventBusName"], "webhooks-events");
    let detail: Value = serde_json::from_str(taken[0]["Detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail, expected.detail);
    // The record's time, as epoch seconds.
    assert_eq!(taken[0]["Time"].as_f64(), Some(1795167677.0));
}

#[tokio::test]
async fn entries_eventbridge_fails_are_sent_again_until_taken() {
    let stand_in = EventBridgeStandIn::start().await;
    let bus = Bus::connect(Some(&stand_in.url), "bus").await;
    let records: Vec<Value> = (1..=4).map(export_record).collect();
    stand_in.fail(&event_id(&records[1]), 1, "ThrottlingException");
    stand_in.fail(&event_id(&records[3]), 2, "InternalFailure");
    let outcome = publish_batch(batch(records), &bus, quick()).await;
    assert_eq!(
        sequences(&outcome),
        Vec::<&str>::new(),
        "{:?}",
        outcome.reasons
    );
    assert_eq!((outcome.published, outcome.failures), (4, 3));
    // Only the failed entries were sent again.
    assert_eq!(stand_in.requests(), vec![4, 2, 1]);
    let mut ids: Vec<u64> = stand_in
        .taken()
        .iter()
        .map(|e| {
            serde_json::from_str::<Value>(e["Detail"].as_str().unwrap()).unwrap()["annotation_id"]
                .as_u64()
                .unwrap()
        })
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![1, 2, 3, 4], "each event taken once");
}

#[tokio::test]
async fn what_still_fails_goes_back_to_the_stream_by_sequence_number() {
    let stand_in = EventBridgeStandIn::start().await;
    let bus = Bus::connect(Some(&stand_in.url), "bus").await;
    let records: Vec<Value> = (1..=3).map(export_record).collect();
    stand_in.fail(&event_id(&records[2]), 10, "InternalFailure");
    stand_in.fail(&event_id(&records[1]), 10, "ThrottlingException");
    let outcome = publish_batch(batch(records), &bus, quick()).await;
    // Lambda retries the stream from the lowest sequence number reported.
    assert_eq!(sequences(&outcome), vec!["102", "103"]);
    assert_eq!(outcome.published, 1);
    assert!(
        outcome
            .reasons
            .iter()
            .any(|r| r.starts_with("InternalFailure")),
        "{:?}",
        outcome.reasons
    );
    assert_eq!(
        stand_in.requests(),
        vec![3, 2, 2],
        "three sends, then handed back"
    );
}

#[tokio::test]
async fn a_refused_request_is_sent_again_whole() {
    let stand_in = EventBridgeStandIn::start().await;
    let bus = Bus::connect(Some(&stand_in.url), "bus").await;
    stand_in.deny_requests(1);
    let outcome = publish_batch(
        batch(vec![export_record(1), export_record(2)]),
        &bus,
        quick(),
    )
    .await;
    assert_eq!(
        sequences(&outcome),
        Vec::<&str>::new(),
        "{:?}",
        outcome.reasons
    );
    assert_eq!(stand_in.taken().len(), 2);
    stand_in.deny_requests(10);
    let outcome = publish_batch(batch(vec![export_record(3)]), &bus, quick()).await;
    assert_eq!(sequences(&outcome), vec!["103"]);
    assert!(
        outcome.reasons[0].contains("AccessDenied"),
        "{:?}",
        outcome.reasons
    );
}

#[tokio::test]
async fn requests_hold_at_most_ten_entries() {
    let stand_in = EventBridgeStandIn::start().await;
    let bus = Bus::connect(Some(&stand_in.url), "bus").await;
    let records: Vec<Value> = (1..=25).map(export_record).collect();
    let outcome = publish_batch(batch(records), &bus, quick()).await;
    assert_eq!(outcome.published, 25);
    assert_eq!(stand_in.requests(), vec![10, 10, 5]);
}

#[tokio::test]
async fn an_unreachable_bus_hands_every_record_back() {
    // Nothing listens on this port once the listener is dropped.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bus = Bus::connect(Some(&format!("http://127.0.0.1:{port}")), "bus").await;
    let records = vec![export_record(1), latest_record(150), export_record(2)];
    let outcome = publish_batch(batch(records), &bus, quick()).await;
    assert_eq!(
        sequences(&outcome),
        vec!["101", "102"],
        "the skipped record is acknowledged"
    );
    assert_eq!(outcome.published, 0);
}
