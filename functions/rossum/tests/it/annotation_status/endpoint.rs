//! The whole request path as the Lambda and the local server run it: signed status
//! deliveries and the refusals only this hook gives (the ones every hook gives are `hooks`').

use super::common;

use std::sync::Arc;

use common::{ANNOTATION_ID, SAMPLE, already_recorded, recorded, signed};
use record_store::InMemoryRecordStore;

#[tokio::test]
async fn a_signed_change_is_recorded_and_its_redelivery_is_a_duplicate() {
    let store = Arc::new(InMemoryRecordStore::new());
    assert_eq!(signed(store.clone(), SAMPLE).await, (200, recorded(true)));
    assert_eq!(
        signed(store.clone(), SAMPLE).await,
        (200, already_recorded())
    );

    assert_eq!(store.status_history(ANNOTATION_ID).len(), 1);
    assert_eq!(
        store.latest_status(ANNOTATION_ID).unwrap().status,
        "exported"
    );
}
