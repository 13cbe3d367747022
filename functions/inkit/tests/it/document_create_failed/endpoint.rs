//! The endpoint with the in-memory records: a failure recorded once (its refusals are the
//! `webhooks` table's).

use std::sync::Arc;

use record_store::{InMemoryRecordStore, InkitRecordStore};
use webhook_model::inkit::InkitEventType;
use webhook_test_support::inkit_recorder::RESOURCE_ID;

use crate::support::CREATE_FAILED;

#[tokio::test]
async fn a_failure_is_recorded_once() {
    let records = Arc::new(InMemoryRecordStore::new());
    CREATE_FAILED.assert_recorded_once(records.clone()).await;

    assert_eq!(records.inkit_event_count(), 1);
    let document = records.inkit_document(RESOURCE_ID).await.unwrap().unwrap();
    assert_eq!(document.last_event, InkitEventType::DocumentCreateFailed);
    let failed_at = document.create_failed_at.expect("the failure's time");
    assert_eq!(failed_at, records.inkit_events(RESOURCE_ID)[0].received_at);
    assert!(!document.deleted);
}
