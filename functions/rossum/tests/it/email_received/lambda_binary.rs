//! The built Lambda binary, started as Lambda starts it, answering the sample payload wrapped
//! in an API Gateway HTTP API (v2) event through the real lambda_http event path: recording
//! the email in its records table (refused with 503 without one: `hooks`).

use super::common;

use common::{EMAIL_URL, EVENT, PRIVATE, SAMPLE};
use serde_json::json;

use crate::support::{
    assert_forgery_refused, assert_logged_answers_and_replay, invoke_twice,
    start_with_records_table,
};

const BINARY: &str = env!("CARGO_BIN_EXE_rossum-email-received");
const NAME: &str = rossum_functions::EMAIL_RECEIVED.name;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_answers_a_signed_email_records_it_once_and_refuses_a_forged_one() {
    let (records, api, process) = start_with_records_table(BINARY, NAME).await;

    let body = invoke_twice(&api, EVENT).await;
    assert_eq!(
        body["files"],
        json!([{"id": "1", "values": []}, {"id": "3", "values": []}])
    );
    assert_eq!(
        body["extracted_original_sender"]["email"],
        "Jana.Novakova@stavby-novak.example"
    );
    // The email record and the delivery's idempotency record.
    assert_eq!(records.item_count().await, 2);
    let record = records.store.email(EMAIL_URL).await.unwrap();
    assert_eq!(record.expect("recorded").files_imported, ["1", "3"]);

    assert_forgery_refused(&api, rossum_functions::EMAIL_RECEIVED.route, SAMPLE).await;
    assert_logged_answers_and_replay(&process.stop(), PRIVATE);
    records.drop_table().await;
}
