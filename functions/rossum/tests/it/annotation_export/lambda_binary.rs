//! The built Lambda binary, started as Lambda starts it, answering the signed export sample
//! (an API Gateway HTTP API v2 event): recorded once (refused with 503 while its records
//! table is not configured: `hooks`).

use super::common;

use common::ANNOTATION_ID;
use record_store::DynamoRecordStore;
use serde_json::json;
use webhook_test_support::{drop_table, invoke, item_count};

use crate::support::start_with_records_table;

const BINARY: &str = env!("CARGO_BIN_EXE_rossum-annotation-export");
const NAME: &str = rossum_functions::ANNOTATION_EXPORT.name;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_its_table_the_binary_records_the_export_once() {
    let (client, table, api, _process) = start_with_records_table(BINARY, NAME).await;
    // The signed sample users invoke the function with.
    let event = include_bytes!("../../../../../events/rossum-annotation-export.json");
    for _ in 0..2 {
        let (status, body) = invoke(&api, event).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"messages": [], "operations": []}));
    }
    let store = DynamoRecordStore::new(client.clone(), &table);
    let record = store
        .export(ANNOTATION_ID)
        .await
        .unwrap()
        .expect("recorded");
    assert_eq!(record.vendor_id, "V-10027");
    // The export record and the delivery's idempotency record.
    assert_eq!(item_count(&client, &table).await, 2);
    drop_table(&client, &table).await;
}
