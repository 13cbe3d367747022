//! The built Lambda binary, started as Lambda starts it, answering the signed sample event
//! (an API Gateway HTTP API v2 event) through the real lambda_http event path: the same
//! answer to a redelivery with nothing stored but the delivery's idempotency record (503
//! while the records table that holds those records is not configured: `hooks`).

use super::common;

use common::{EVENT, PRIVATE, SAMPLE};
use serde_json::json;
use webhook_test_support::{all_items, drop_table, invoke};

use crate::support::{
    assert_forgery_refused, assert_logged_answers_and_replay, start_with_records_table,
};

const BINARY: &str = env!("CARGO_BIN_EXE_rossum-upload-created");
const NAME: &str = rossum_functions::UPLOAD_CREATED.name;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_answers_the_sample_once_replays_it_and_refuses_a_forged_one() {
    let (client, table, api, process) = start_with_records_table(BINARY, NAME).await;

    let documents = "https://example.rossum.app/api/v1/documents";
    for _ in 0..2 {
        let (status, body) = invoke(&api, EVENT).await;
        assert_eq!(status, 200, "{body}");
        let prevented: Vec<_> = body["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["document"].clone(), f["prevent_importing"].clone()))
            .collect();
        assert_eq!(
            prevented,
            [
                (json!(format!("{documents}/3312101")), json!(false)),
                (json!(format!("{documents}/3312102")), json!(true)),
                (json!(format!("{documents}/3312103")), json!(true)),
                (json!(format!("{documents}/3312104")), json!(true)),
            ]
        );
    }
    // Only the delivery's idempotency record.
    let items = all_items(&client, &table).await;
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
    drop_table(&client, &table).await;
}
