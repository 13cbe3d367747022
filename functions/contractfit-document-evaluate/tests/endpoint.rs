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
async fn each_reviewed_content_is_a_version_next_to_the_prediction() {
    use std::sync::Arc;

    use contractfit_store::testing::authorised;
    use contractfit_store::{ContractFitStore, Delivery, InMemoryContractFitStore};
    use serde_json::{Value, json};
    use webhook_model::contractfit::ContractFitEvent;

    let store = Arc::new(InMemoryContractFitStore::new());
    let payload: Value = serde_json::from_slice(common::PAYLOAD).unwrap();
    let id = function().document_id();
    let mut predicted = payload["data"].clone();
    predicted["feedback"] = Value::Null;
    let predict = Delivery::new(
        ContractFitEvent::DocumentPredict,
        id.clone(),
        &predicted,
        contractfit_store::now(),
    );
    store.store_document(&predict, &predicted).await.unwrap();

    let mut corrected = payload.clone();
    corrected["data"]["feedback"]["fields"]["purchase_order"][0]["value"] = json!("PO-88214");
    for (body, outcome) in [
        (&payload, "stored"),
        (&payload, "duplicate"),
        (&corrected, "stored"),
    ] {
        // A new endpoint each time (an empty idempotency store): the versions are the store's.
        let endpoint = function().endpoint(store.clone());
        let answer = authorised(&endpoint, &serde_json::to_vec(body).unwrap()).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert_eq!(answer.body["outcome"], outcome);
    }
    let stored = store.load(&id).await.unwrap().unwrap();
    let kinds: Vec<&str> = stored.versions.iter().map(|v| v.event.as_str()).collect();
    assert_eq!(
        kinds,
        ["document_predict", "document_evaluate", "document_evaluate"]
    );
    assert_eq!(stored.versions[1].document, payload["data"]);
    assert_eq!(stored.versions[2].document, corrected["data"]);
}
