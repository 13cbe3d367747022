//! The store rules against the in-memory store (the local server's default).

use crate::common;

use common::rules;
use contractfit_store::InMemoryContractFitStore;

#[tokio::test]
async fn a_text_is_stored_once() {
    rules::a_text_is_stored_once(&InMemoryContractFitStore::new()).await;
}

#[tokio::test]
async fn a_different_text_replaces_the_stored_one() {
    rules::a_different_text_replaces_the_stored_one(&InMemoryContractFitStore::new()).await;
}

#[tokio::test]
async fn sections_keep_their_text_and_their_numbers() {
    rules::sections_keep_their_text_and_their_numbers(&InMemoryContractFitStore::new()).await;
}

#[tokio::test]
async fn predictions_and_reviews_are_versions_side_by_side() {
    rules::predictions_and_reviews_are_versions_side_by_side(&InMemoryContractFitStore::new())
        .await;
}

#[tokio::test]
async fn failures_are_recorded_once() {
    rules::failures_are_recorded_once(&InMemoryContractFitStore::new()).await;
}

#[tokio::test]
async fn a_delete_removes_everything_and_leaves_the_marker() {
    rules::a_delete_removes_everything_and_leaves_the_marker(&InMemoryContractFitStore::new())
        .await;
}

#[tokio::test]
async fn a_document_after_its_deletion_is_stored_only_when_newer() {
    rules::a_document_after_its_deletion_is_stored_only_when_newer(
        &InMemoryContractFitStore::new(),
    )
    .await;
}
