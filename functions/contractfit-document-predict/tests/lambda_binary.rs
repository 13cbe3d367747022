//! The built Lambda binary, started as Lambda starts it, answering the sample payload
//! wrapped in an API Gateway HTTP API (v2) event with `Authorization: Bearer <token>`.

mod common;

use common::function;
use contractfit_store::testing::checks;

const BINARY: &str = env!("CARGO_BIN_EXE_contractfit-document-predict");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_its_table_the_binary_stores_the_delivery_once() {
    checks::binary_stores_once_in_dynamodb(&function(), BINARY).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_records_table_deliveries_are_refused_with_503() {
    checks::binary_without_a_table_answers_503(&function(), BINARY).await;
}
