//! Through the endpoint into DynamoDB Local.

mod common;

use common::function;
use contractfit_store::testing::checks;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_delivery_is_stored_once_in_dynamodb() {
    checks::stores_once_in_dynamodb(&function()).await;
}
