//! The built Lambda binary, started as Lambda starts it, answering the signed status sample
//! (an API Gateway HTTP API v2 event): recorded once (refused with 503 while its records
//! table is not configured: `hooks`).

use super::common;

use common::ANNOTATION_ID;
use record_store::DynamoRecordStore;
use serde_json::json;
use webhook_test_support::binary::assert_not_logged;
use webhook_test_support::{drop_table, invoke};

use crate::support::start_with_records_table;

const BINARY: &str = env!("CARGO_BIN_EXE_rossum-annotation-status");
const NAME: &str = rossum_functions::ANNOTATION_STATUS.name;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_its_table_the_binary_records_the_change_once() {
    let (client, table, api, process) = start_with_records_table(BINARY, NAME).await;
    // The signed sample users invoke the function with (its body is SAMPLE).
    let event = include_bytes!("../../../../../events/rossum-annotation-status.json");
    let recorded = json!({"recorded": true, "latest": true});
    let (status, body) = invoke(&api, event).await;
    assert_eq!((status, body), (200, recorded.clone()));
    let (status, body) = invoke(&api, event).await;
    assert_eq!(
        (status, body),
        (200, recorded),
        "the retry gets the stored answer"
    );

    let store = DynamoRecordStore::new(client.clone(), &table);
    assert_eq!(store.status_history(ANNOTATION_ID).await.unwrap().len(), 1);
    // The Rossum token never reaches the log.
    assert_not_logged(
        &process.stop(),
        &["1024873d424a007d8eebff7b3684d283abdf7d0d"],
    );
    drop_table(&client, &table).await;
}
