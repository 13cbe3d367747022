//! The built Lambda binary, started as Lambda starts it, answering the signed export sample
//! (an API Gateway HTTP API v2 event): recorded once (refused with 503 while its records
//! table is not configured: `hooks`).

use super::common;

use common::recorded_export;
use serde_json::json;

use crate::support::{invoke_twice, start_with_records_table};

const BINARY: &str = env!("CARGO_BIN_EXE_rossum-annotation-export");
const NAME: &str = rossum_functions::ANNOTATION_EXPORT.name;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_its_table_the_binary_records_the_export_once() {
    let (records, api, _process) = start_with_records_table(BINARY, NAME).await;
    // The signed sample users invoke the function with.
    let event = include_bytes!("../../../../../events/rossum-annotation-export.json");
    assert_eq!(
        invoke_twice(&api, event).await,
        json!({"messages": [], "operations": []})
    );
    assert_eq!(recorded_export(&records).await.vendor_id, "V-10027");
    // The export record and the delivery's idempotency record.
    assert_eq!(records.item_count().await, 2);
    records.drop_table().await;
}
