//! Inkit events and documents in the records table, against DynamoDB Local: each event once,
//! the document item the events and the fetched details update, the deleted marker, and
//! concurrent redeliveries.

use crate::common;

use Written::{AlreadyPresent, Inserted};
use aws_sdk_dynamodb::types::AttributeValue;
use common::{
    assert_absent, assert_fails_naming, assert_texts, assert_writes, at_once, finish, items, store,
    text, unreachable_store, with_sort_key,
};
use record_store::{
    DEFAULT_HISTORY_RETENTION, DynamoRecordStore, InkitDocumentDetails, InkitEvent,
    InkitRecordStore, Timestamp, Written, details_unavailable,
};
use webhook_model::inkit::InkitEventType::{
    self, DocumentCreateFailed, DocumentCreateFinished, DocumentDeleted,
};

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

/// Records each event in turn, checking what each write did.
async fn record_events(store: &DynamoRecordStore, writes: &[(&InkitEvent, Written)]) {
    assert_writes(async |event| store.record_inkit_event(event).await, writes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_is_recorded_once_with_its_document_item() {
    let store = store("inkit-once").await;
    let finished = event(DocumentCreateFinished, "2026-11-20T09:52:44.118204Z");
    let redelivered = event(DocumentCreateFinished, "2026-11-20T10:00:00Z");
    record_events(
        &store,
        &[
            (&finished, Inserted),
            (&redelivered, AlreadyPresent),
            (&redelivered, AlreadyPresent),
        ],
    )
    .await;
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
    assert_eq!(document.last_event, DocumentCreateFinished);
    assert_eq!(
        document.last_event_at, finished.received_at,
        "the redelivery changed nothing"
    );
    assert!(!document.details_fetched);
    assert_eq!(document.details, None);
    assert!(!document.deleted);
    assert_eq!(store.inkit_document("doc_other").await.unwrap(), None);

    let items = items(&store).await;
    assert_eq!(items.len(), 2, "{items:?}");
    let event_item = with_sort_key(&items, "EVENT#DOCUMENT_CREATE_FINISHED");
    assert_texts(
        event_item,
        &[
            ("pk", &format!("INKIT#{RESOURCE}")),
            ("kind", "inkit_event"),
            ("received_at", "2026-11-20T09:52:44.118204Z"),
        ],
    );
    let expiry = finished.received_at.epoch_seconds() + DEFAULT_HISTORY_RETENTION.as_secs() as i64;
    assert_eq!(
        event_item["expires_at"],
        AttributeValue::N(expiry.to_string())
    );
    let document_item = with_sort_key(&items, "DOCUMENT");
    assert_eq!(text(document_item, "kind"), "inkit_document");
    assert_eq!(
        document_item["details_fetched"],
        AttributeValue::Bool(false)
    );
    assert_eq!(document_item["deleted"], AttributeValue::Bool(false));
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn details_complete_the_document_and_a_404_marks_them_unavailable() {
    let store = store("inkit-details").await;
    let finished = event(DocumentCreateFinished, "2026-11-20T09:52:44Z");
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
    assert_eq!(document.last_event, DocumentCreateFinished);

    // Fetched details are not marked unavailable by a slower, failed delivery.
    store
        .mark_inkit_details_unavailable(RESOURCE, details_unavailable::MALFORMED, &fetched)
        .await
        .unwrap();
    let items = items(&store).await;
    let document_item = with_sort_key(&items, "DOCUMENT");
    assert_absent(
        document_item,
        "details_unavailable",
        "the details were fetched",
    );
    assert_absent(document_item, "folder_id", "absent details are absent");
    assert_texts(
        document_item,
        &[
            ("name", "Welcome letter - Jane Doe"),
            ("status", "completed"),
            ("id", RESOURCE),
        ],
    );

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
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletion_marks_the_document_and_keeps_the_history() {
    let store = store("inkit-deleted").await;
    let finished = event(DocumentCreateFinished, "2026-11-20T09:52:44Z");
    store.record_inkit_event(&finished).await.unwrap();
    store
        .record_inkit_document_details(RESOURCE, &details(), &finished.received_at)
        .await
        .unwrap();
    let deleted = event(DocumentDeleted, "2026-11-21T08:00:00Z");
    record_events(&store, &[(&deleted, Inserted), (&deleted, AlreadyPresent)]).await;
    let document = store.inkit_document(RESOURCE).await.unwrap().unwrap();
    assert!(document.deleted);
    assert_eq!(document.deleted_at, Some(deleted.received_at.clone()));
    assert_eq!(document.last_event, DocumentDeleted);
    assert_eq!(document.details, Some(details()), "what was known stays");
    assert_eq!(
        store.inkit_events(RESOURCE).await.unwrap(),
        vec![finished, deleted]
    );
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletion_of_an_unknown_resource_leaves_a_marker_a_late_create_does_not_clear() {
    let store = store("inkit-unknown-deleted").await;
    let deleted = event(DocumentDeleted, "2026-11-21T08:00:00Z");
    record_events(&store, &[(&deleted, Inserted)]).await;
    let document = store.inkit_document(RESOURCE).await.unwrap().unwrap();
    assert!(document.deleted);
    assert!(!document.details_fetched);

    let late = event(DocumentCreateFinished, "2026-11-21T08:00:01Z");
    record_events(&store, &[(&late, Inserted)]).await;
    let document = store.inkit_document(RESOURCE).await.unwrap().unwrap();
    assert!(document.deleted, "still deleted");
    assert_eq!(document.deleted_at, Some(deleted.received_at));
    assert_eq!(document.last_event, DocumentCreateFinished);
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_is_recorded_on_the_document() {
    let store = store("inkit-failed").await;
    let failed = event(DocumentCreateFailed, "2026-11-20T09:52:44Z");
    record_events(&store, &[(&failed, Inserted)]).await;
    let document = store.inkit_document(RESOURCE).await.unwrap().unwrap();
    assert_eq!(document.create_failed_at, Some(failed.received_at));
    assert_eq!(document.last_event, DocumentCreateFailed);
    assert!(!document.deleted);
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_ten_concurrent_deliveries_of_one_event_exactly_one_writes() {
    let store = store("inkit-concurrent").await;
    let deliveries = at_once(&store, 10, |store, i| async move {
        let at = format!("2026-11-20T09:52:{:02}Z", 10 + i);
        store.record_inkit_event(&event(DocumentDeleted, &at)).await
    })
    .await;
    let outcomes: Vec<Written> = deliveries
        .into_iter()
        .map(|delivery| delivery.expect("every delivery gets an answer"))
        .collect();
    let inserted = outcomes.iter().filter(|w| **w == Inserted).count();
    assert_eq!(inserted, 1, "{outcomes:?}");
    assert_eq!(items(&store).await.len(), 2);
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_endpoint_is_an_error_not_a_panic() {
    let store = unreachable_store().await;
    let finished = event(DocumentCreateFinished, "2026-11-20T09:52:44Z");
    assert_fails_naming(
        store.record_inkit_event(&finished).await,
        "TransactWriteItems",
    );
    assert_fails_naming(store.inkit_document(RESOURCE).await, "GetItem");
    assert_fails_naming(
        store
            .record_inkit_document_details(RESOURCE, &details(), &finished.received_at)
            .await,
        "UpdateItem",
    );
}
