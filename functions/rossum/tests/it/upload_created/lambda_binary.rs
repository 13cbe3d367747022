//! The built Lambda binary, started as Lambda starts it, answering the signed sample event
//! (an API Gateway HTTP API v2 event) through the real lambda_http event path: the same
//! answer to a redelivery with nothing stored but the delivery's idempotency record (503
//! while the records table that holds those records is not configured: `hooks`).

use super::common;

use common::{EVENT, PRIVATE, SAMPLE, SAMPLE_DECISIONS, decisions, expected};

use crate::support::{
    assert_forgery_refused, assert_logged_answers_and_replay, invoke_twice,
    start_with_records_table,
};

const BINARY: &str = env!("CARGO_BIN_EXE_rossum-upload-created");
const NAME: &str = rossum_functions::UPLOAD_CREATED.name;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_answers_the_sample_once_replays_it_and_refuses_a_forged_one() {
    let (records, api, process) = start_with_records_table(BINARY, NAME).await;

    let body = invoke_twice(&api, EVENT).await;
    assert_eq!(decisions(&body), expected(&SAMPLE_DECISIONS));
    // Only the delivery's idempotency record.
    let items = records.items().await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(
        items[0]["pk"]
            .as_s()
            .unwrap()
            .starts_with("IDEMPOTENCY#rossum-upload-created#")
    );

    assert_forgery_refused(&api, rossum_functions::UPLOAD_CREATED.route, SAMPLE).await;
    let logs = process.stop();
    assert!(logs.contains("upload triaged"), "{logs}");
    assert_logged_answers_and_replay(&logs, PRIVATE);
    records.drop_table().await;
}
