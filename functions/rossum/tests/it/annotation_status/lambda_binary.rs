//! The built Lambda binary, started as Lambda starts it, answering the signed status sample
//! (an API Gateway HTTP API v2 event): recorded once (refused with 503 while its records
//! table is not configured: `hooks`).

use super::common;

use common::{EVENT, history, recorded};
use webhook_test_support::binary::assert_not_logged;

use crate::support::{invoke_twice, start_with_records_table};

const BINARY: &str = env!("CARGO_BIN_EXE_rossum-annotation-status");
const NAME: &str = rossum_functions::ANNOTATION_STATUS.name;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_its_table_the_binary_records_the_change_once() {
    let (records, api, process) = start_with_records_table(BINARY, NAME).await;
    assert_eq!(invoke_twice(&api, EVENT).await, recorded(true));

    assert_eq!(history(&records).await.len(), 1);
    // The Rossum token never reaches the log.
    assert_not_logged(
        &process.stop(),
        &["1024873d424a007d8eebff7b3684d283abdf7d0d"],
    );
    records.drop_table().await;
}
