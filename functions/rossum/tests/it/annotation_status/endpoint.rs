//! The whole request path as the Lambda and the local server run it: signed status
//! deliveries and the refusals only this hook gives (the ones every hook gives are `hooks`').

use super::common;

use std::sync::Arc;

use common::{ANNOTATION_ID, SAMPLE, signed};
use record_store::InMemoryRecordStore;
use serde_json::json;

#[tokio::test]
async fn a_signed_change_is_recorded_and_its_redelivery_is_a_duplicate() {
    let store = Arc::new(InMemoryRecordStore::new());
    let (status, body) = signed(store.clone(), SAMPLE).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"recorded": true, "latest": true}));

    let (status, body) = signed(store.clone(), SAMPLE).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"recorded": false, "duplicate": true}));

    assert_eq!(store.status_history(ANNOTATION_ID).len(), 1);
    assert_eq!(
        store.latest_status(ANNOTATION_ID).unwrap().status,
        "exported"
    );
}
