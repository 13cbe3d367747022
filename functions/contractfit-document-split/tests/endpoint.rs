//! The whole request path as the Lambda and the local server run it, with the in-memory
//! store: what is stored, and every refusal.

mod common;

use common::function;
use contractfit_store::testing::checks;

#[tokio::test]
async fn the_sample_delivery_is_stored_once() {
    checks::stores_its_event_once(&function()).await;
}

#[tokio::test]
async fn a_wrong_or_missing_token_is_401() {
    checks::refuses_a_wrong_or_missing_token(&function()).await;
}

#[tokio::test]
async fn another_organisation_is_403() {
    checks::refuses_another_organisation(&function()).await;
}

#[tokio::test]
async fn other_events_are_422_naming_the_expected_one() {
    checks::refuses_other_events(&function()).await;
}

#[tokio::test]
async fn document_fail_and_document_reject_are_recorded_and_acknowledged() {
    checks::records_fail_and_reject(&function()).await;
}

#[tokio::test]
async fn malformed_bodies_are_400() {
    checks::refuses_malformed_bodies(&function()).await;
}

#[tokio::test]
async fn a_failing_store_is_503() {
    checks::answers_503_when_the_store_fails(&function()).await;
}

#[tokio::test]
async fn sections_are_stored_with_their_numbers() {
    use std::sync::Arc;

    use contractfit_store::testing::authorised;
    use contractfit_store::{ContractFitStore, InMemoryContractFitStore};

    let store = Arc::new(InMemoryContractFitStore::new());
    let answer = authorised(&function().endpoint(store.clone()), common::PAYLOAD).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let stored = store
        .load(&function().document_id())
        .await
        .unwrap()
        .unwrap();
    let sections = stored.sections.unwrap().sections;
    assert_eq!(sections.len(), 2);
    assert_eq!(sections[0].document_type, "invoice");
    assert_eq!(sections[0].confidence.raw, "94");
    assert_eq!(sections[0].confidence.value, Some(94.0));
    assert_eq!(sections[1].page.raw, "2");
    assert_eq!(sections[1].page.value, Some(2));
}
