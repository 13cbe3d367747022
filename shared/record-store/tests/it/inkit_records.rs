//! Inkit events and documents in the records table, against DynamoDB Local: each event once,
//! the document item the events and the fetched details update, the deleted marker, and
//! concurrent redeliveries.

use crate::common;

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use common::{client, drop_table, new_table};
use record_store::{
    DEFAULT_HISTORY_RETENTION, DynamoRecordStore, InkitDocumentDetails, InkitEvent,
    InkitRecordStore, Timestamp, Written, details_unavailable,
};
use webhook_model::inkit::InkitEventType;

type Item = HashMap<String, AttributeValue>;

const RESOURCE: &str = "doc_2N0X2g4f3b1JJU75fqzDZs";

fn event(event_type: InkitEventType, at: &str) -> InkitEvent {
    InkitEvent {
        resource_id: RESOURCE.to_owned(),
        event_type,
        received_at: Timestamp::parse(at).unwrap(),
    }
}

fn details() -> InkitDocumentDetails {
    InkitDocumentDetails {
        id: RESOURCE.to_owned(),
        name: Some("Welcome letter - Jane Doe".to_owned()),
        status: Some("completed".to_owned()),
        render_id: Some("rend_4kXq9r2ZbT0mP1aW8sYcDe".to_owned()),
        folder_id: None,
        created_at: Some("2026-11-20T09:52:41.512Z".to_owned()),
    }
}

async fn store(label: &str) -> DynamoRecordStore {
    let client = client().await;
    let table = new_table(&client, label).await;
    DynamoRecordStore::new(client, table)
}

async fn items(client: &Client, table: &str) -> Vec<Item> {
    client
        .scan()
        .table_name(table)
        .consistent_read(true)
        .send()
        .await
        .expect("scan")
        .items()
        .to_vec()
}

fn find<'a>(items: &'a [Item], sk: &str) -> &'a Item {
    items
        .iter()
        .find(|i| i["sk"] == AttributeValue::S(sk.to_owned()))
        .unwrap_or_else(|| panic!("no item {sk}: {items:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_is_recorded_once_with_its_document_item() {
    let store = store("inkit-once").await;
    let finished = event(
        InkitEventType::DocumentCreateFinished,
        "2026-11-20T09:52:44.118204Z",
    );
    assert_eq!(
        store.record_inkit_event(&finished).await,
        Ok(Written::Inserted)
    );
    for _ in 0..2 {
        let redelivered = event(
            InkitEventType::DocumentCreateFinished,
            "2026-11-20T10:00:00Z",
        );
        assert_eq!(
            store.record_inkit_event(&redelivered).await,
            Ok(Written::AlreadyPresent)
        );
    }
    assert_eq!(
        store.inkit_events(RESOURCE).await.unwrap(),
        vec![finished.clone()]
    );

    let document = store
        .inkit_document(RESOURCE)
        .await
        .unwrap()
        .expect("created");
    assert_eq!(document.resource_id, RESOURCE);
    assert_eq!(document.last_event, InkitEventType::DocumentCreateFinished);
    assert_eq!(
        document.last_event_at, finished.received_at,
        "the redelivery changed nothing"
    );
    assert!(!document.details_fetched);
    assert_eq!(document.details, None);
    assert!(!document.deleted);
    assert_eq!(store.inkit_document("doc_other").await.unwrap(), None);

    let items = items(store.client(), store.table()).await;
    assert_eq!(items.len(), 2, "{items:?}");
    let event_item = find(&items, "EVENT#DOCUMENT_CREATE_FINISHED");
    assert_eq!(
        event_item["pk"],
        AttributeValue::S(format!("INKIT#{RESOURCE}"))
    );
    assert_eq!(event_item["kind"], AttributeValue::S("inkit_event".into()));
    assert_eq!(
        event_item["received_at"],
        AttributeValue::S("2026-11-20T09:52:44.118204Z".into())
    );
    let expiry = finished.received_at.epoch_seconds() + DEFAULT_HISTORY_RETENTION.as_secs() as i64;
    assert_eq!(
        event_item["expires_at"],
        AttributeValue::N(expiry.to_string())
    );
    let document_item = find(&items, "DOCUMENT");
    assert_eq!(
        document_item["kind"],
        AttributeValue::S("inkit_document".into())
    );
    assert_eq!(
        document_item["details_fetched"],
        AttributeValue::Bool(false)
    );
    assert_eq!(document_item["deleted"], AttributeValue::Bool(false));
    drop_table(store.client(), store.table()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn details_complete_the_document_and_a_404_marks_them_unavailable() {
    let store = store("inkit-details").await;
    let finished = event(
        InkitEventType::DocumentCreateFinished,
        "2026-11-20T09:52:44Z",
    );
    store.record_inkit_event(&finished).await.unwrap();

    let checked = Timestamp::parse("2026-11-20T09:52:45Z").unwrap();
    store
        .mark_inkit_details_unavailable(RESOURCE, details_unavailable::NOT_FOUND, &checked)
        .await
        .unwrap();
    let document = store.inkit_document(RESOURCE).await.unwrap().unwrap();
    assert_eq!(document.details_unavailable.as_deref(), Some("not_found"));
    assert!(!document.details_fetched);

    let fetched = Timestamp::parse("2026-11-20T09:52:46Z").unwrap();
    store
        .record_inkit_document_details(RESOURCE, &details(), &fetched)
        .await
        .unwrap();
    let document = store.inkit_document(RESOURCE).await.unwrap().unwrap();
    assert!(document.details_fetched);
    assert_eq!(document.details, Some(details()));
    assert_eq!(document.details_fetched_at, Some(fetched.clone()));
    assert_eq!(document.details_unavailable, None, "cleared by the fetch");
    assert_eq!(document.last_event, InkitEventType::DocumentCreateFinished);

    // Fetched details are not marked unavailable by a slower, failed delivery.
    store
        .mark_inkit_details_unavailable(RESOURCE, details_unavailable::MALFORMED, &fetched)
        .await
        .unwrap();
    let items = items(store.client(), store.table()).await;
    let document_item = find(&items, "DOCUMENT");
    assert!(!document_item.contains_key("details_unavailable"));
    assert!(
        !document_item.contains_key("folder_id"),
        "absent details are absent"
    );
    assert_eq!(
        document_item["name"],
        AttributeValue::S("Welcome letter - Jane Doe".into())
    );
    assert_eq!(
        document_item["status"],
        AttributeValue::S("completed".into())
    );
    assert_eq!(document_item["id"], AttributeValue::S(RESOURCE.into()));

    // Details without a recorded event are refused; marking one is a no-op.
    let error = store
        .record_inkit_document_details("doc_unknown", &details(), &fetched)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("doc_unknown"), "{error}");
    store
        .mark_inkit_details_unavailable("doc_unknown", "not_found", &fetched)
        .await
        .unwrap();
    assert_eq!(store.inkit_document("doc_unknown").await.unwrap(), None);
    drop_table(store.client(), store.table()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletion_marks_the_document_and_keeps_the_history() {
    let store = store("inkit-deleted").await;
    let finished = event(
        InkitEventType::DocumentCreateFinished,
        "2026-11-20T09:52:44Z",
    );
    store.record_inkit_event(&finished).await.unwrap();
    store
        .record_inkit_document_details(RESOURCE, &details(), &finished.received_at)
        .await
        .unwrap();
    let deleted = event(InkitEventType::DocumentDeleted, "2026-11-21T08:00:00Z");
    assert_eq!(
        store.record_inkit_event(&deleted).await,
        Ok(Written::Inserted)
    );
    assert_eq!(
        store.record_inkit_event(&deleted).await,
        Ok(Written::AlreadyPresent)
    );
    let document = store.inkit_document(RESOURCE).await.unwrap().unwrap();
    assert!(document.deleted);
    assert_eq!(document.deleted_at, Some(deleted.received_at.clone()));
    assert_eq!(document.last_event, InkitEventType::DocumentDeleted);
    assert_eq!(document.details, Some(details()), "what was known stays");
    assert_eq!(
        store.inkit_events(RESOURCE).await.unwrap(),
        vec![finished, deleted]
    );
    drop_table(store.client(), store.table()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletion_of_an_unknown_resource_leaves_a_marker_a_late_create_does_not_clear() {
    let store = store("inkit-unknown-deleted").await;
    let deleted = event(InkitEventType::DocumentDeleted, "2026-11-21T08:00:00Z");
    assert_eq!(
        store.record_inkit_event(&deleted).await,
        Ok(Written::Inserted)
    );
    let document = store.inkit_document(RESOURCE).await.unwrap().unwrap();
    assert!(document.deleted);
    assert!(!document.details_fetched);

    let late = event(
        InkitEventType::DocumentCreateFinished,
        "2026-11-21T08:00:01Z",
    );
    assert_eq!(store.record_inkit_event(&late).await, Ok(Written::Inserted));
    let document = store.inkit_document(RESOURCE).await.unwrap().unwrap();
    assert!(document.deleted, "still deleted");
    assert_eq!(document.deleted_at, Some(deleted.received_at));
    assert_eq!(document.last_event, InkitEventType::DocumentCreateFinished);
    drop_table(store.client(), store.table()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_is_recorded_on_the_document() {
    let store = store("inkit-failed").await;
    let failed = event(InkitEventType::DocumentCreateFailed, "2026-11-20T09:52:44Z");
    assert_eq!(
        store.record_inkit_event(&failed).await,
        Ok(Written::Inserted)
    );
    let document = store.inkit_document(RESOURCE).await.unwrap().unwrap();
    assert_eq!(document.create_failed_at, Some(failed.received_at));
    assert_eq!(document.last_event, InkitEventType::DocumentCreateFailed);
    assert!(!document.deleted);
    drop_table(store.client(), store.table()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_ten_concurrent_deliveries_of_one_event_exactly_one_writes() {
    let store = Arc::new(store("inkit-concurrent").await);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..10 {
        let store = store.clone();
        tasks.spawn(async move {
            let at = format!("2026-11-20T09:52:{:02}Z", 10 + i);
            store
                .record_inkit_event(&event(InkitEventType::DocumentDeleted, &at))
                .await
        });
    }
    let mut outcomes = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        outcomes.push(joined.unwrap().expect("every delivery gets an answer"));
    }
    let inserted = outcomes.iter().filter(|w| **w == Written::Inserted).count();
    assert_eq!(inserted, 1, "{outcomes:?}");
    assert_eq!(items(store.client(), store.table()).await.len(), 2);
    drop_table(store.client(), store.table()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_endpoint_is_an_error_not_a_panic() {
    let client = dynamodb_support::connect(Some("http://127.0.0.1:1")).await;
    let store = DynamoRecordStore::new(client, "records");
    let finished = event(
        InkitEventType::DocumentCreateFinished,
        "2026-11-20T09:52:44Z",
    );
    let error = store.record_inkit_event(&finished).await.unwrap_err();
    assert!(error.to_string().contains("TransactWriteItems"), "{error}");
    let error = store.inkit_document(RESOURCE).await.unwrap_err();
    assert!(error.to_string().contains("GetItem"), "{error}");
    let error = store
        .record_inkit_document_details(RESOURCE, &details(), &finished.received_at)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("UpdateItem"), "{error}");
}
