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

mod text {
    use std::sync::Arc;

    use contractfit_store::testing::authorised;
    use contractfit_store::{ContractFitStore, InMemoryContractFitStore};
    use serde_json::{Value, json};

    use super::common::{PAYLOAD, function};

    #[tokio::test]
    async fn the_text_is_stored_exactly_as_sent_and_never_echoed() {
        let store = Arc::new(InMemoryContractFitStore::new());
        let answer = authorised(&function().endpoint(store.clone()), PAYLOAD).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        let payload: Value = serde_json::from_slice(PAYLOAD).unwrap();
        let sent = payload["data"]["text"].as_str().unwrap();
        let stored = store
            .load(&function().document_id())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.text.unwrap().text.as_bytes(), sent.as_bytes());
        assert!(
            !answer.body.to_string().contains("Northwind"),
            "{:?}",
            answer.body
        );
    }

    #[tokio::test]
    async fn a_text_that_is_not_a_string_is_400() {
        let store = Arc::new(InMemoryContractFitStore::new());
        let mut payload: Value = serde_json::from_slice(PAYLOAD).unwrap();
        payload["data"]["text"] = json!(["page 1", "page 2"]);
        let answer = authorised(
            &function().endpoint(store.clone()),
            &serde_json::to_vec(&payload).unwrap(),
        )
        .await;
        assert_eq!(answer.status, 400, "{:?}", answer.body);
        assert!(
            answer.body["messages"][0]["content"]
                .as_str()
                .unwrap()
                .contains("document_text data"),
            "{:?}",
            answer.body
        );
        assert_eq!(store.load(&function().document_id()).await.unwrap(), None);
    }
}
