//! The idempotency guard on the records table in DynamoDB Local: the same checks the
//! in-memory store passes, and the item layout the README documents.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use aws_sdk_dynamodb::types::AttributeValue;
use common::{finish, store};
use idempotency::{IdempotencyStore, RecordStatus, inkit_key};
use idempotency_conformance::{
    self as conformance, conformance_tests, counting_endpoint, deliver, ok_answer, unique_body,
};
use record_store::{IDEMPOTENCY_SK, idempotency_pk};

// The checks every store passes, one test each, on a table of its own.
conformance_tests!(|label| Arc::new(store(label).await), |store| finish(&store)
    .await);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completed_delivery_is_one_item_holding_its_answer() {
    let store = store("idem-item").await;
    let runs = Arc::new(AtomicUsize::new(0));
    let endpoint = counting_endpoint(Arc::new(store.clone()), runs.clone(), ok_answer);
    let body = unique_body("item");
    assert_eq!(deliver(&endpoint, &body).await.0, 200);

    let key = inkit_key(&body).unwrap().unwrap();
    let record = store
        .idempotency_record(conformance::FUNCTION, &key.key)
        .await
        .unwrap()
        .expect("the record is kept");
    assert_eq!(record.status, RecordStatus::Completed);
    assert_eq!(record.validation, key.validation);
    let answer = record
        .response
        .expect("a completed record holds its answer");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, r#"{"recorded":true,"run":1}"#);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));

    let item = store
        .client()
        .get_item()
        .table_name(store.table())
        .key(
            "pk",
            AttributeValue::S(idempotency_pk(conformance::FUNCTION, &key.key)),
        )
        .key("sk", AttributeValue::S(IDEMPOTENCY_SK.to_owned()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    let expires_at: i64 = item["expires_at"].as_n().unwrap().parse().unwrap();
    let in_a_week = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 7 * 24 * 3600;
    // The TTL attribute is set, about a week out (a minute of slack for the test's run).
    assert!(
        (in_a_week - 60..=in_a_week + 60).contains(&expires_at),
        "{expires_at}"
    );
    assert_eq!(item["status"].as_s().unwrap(), "COMPLETED");
    finish(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_released_lock_leaves_no_item() {
    let store = store("idem-released").await;
    fn refuse(
        _: usize,
    ) -> Result<webhook_endpoint::Response<webhook_endpoint::Body>, webhook_endpoint::WebhookError>
    {
        Err(webhook_endpoint::WebhookError::WrongEvent(
            "not this one".to_owned(),
        ))
    }
    let runs = Arc::new(AtomicUsize::new(0));
    let guarded: Arc<dyn IdempotencyStore> = Arc::new(store.clone());
    let endpoint = counting_endpoint(guarded, runs, refuse);
    assert_eq!(deliver(&endpoint, &unique_body("released")).await.0, 422);
    assert_eq!(
        webhook_test_support::item_count(store.client(), store.table()).await,
        0
    );
    finish(&store).await;
}
