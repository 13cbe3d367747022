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

mod predict {
    use std::sync::Arc;

    use contractfit_store::testing::authorised;
    use contractfit_store::{ContractFitStore, Delivery, InMemoryContractFitStore, Timestamp};
    use serde_json::{Value, json};
    use webhook_model::contractfit::ContractFitEvent;

    use super::common::{PAYLOAD, function};

    #[tokio::test]
    async fn the_document_json_is_stored_whole() {
        let store = Arc::new(InMemoryContractFitStore::new());
        let answer = authorised(&function().endpoint(store.clone()), PAYLOAD).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        let payload: Value = serde_json::from_slice(PAYLOAD).unwrap();
        let stored = store
            .load(&function().document_id())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.versions.len(), 1);
        let version = &stored.versions[0];
        assert_eq!(version.event, ContractFitEvent::DocumentPredict);
        assert_eq!(version.document, payload["data"], "unknown fields included");
        assert_eq!(version.document["x_erp_routing"]["cost_center"], "4711");
        assert_eq!(
            version.document_time.as_ref().unwrap().as_str(),
            "2026-11-20T09:05:12.045619Z"
        );
    }

    #[tokio::test]
    async fn after_a_deletion_only_a_newer_prediction_is_stored() {
        let store = Arc::new(InMemoryContractFitStore::new());
        let id = function().document_id();
        let deleted_at = Timestamp::parse("2026-11-20T12:00:00Z").unwrap();
        let delete = Delivery::new(
            ContractFitEvent::DocumentDelete,
            id.clone(),
            &json!({"id": id.as_str()}),
            deleted_at,
        );
        store.delete_document(&delete).await.unwrap();
        let endpoint = function().endpoint(store.clone());

        // The sample was produced at 09:05, before the deletion: acknowledged, not stored.
        let answer = authorised(&endpoint, PAYLOAD).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert_eq!(answer.body["outcome"], "document_deleted");
        assert_eq!(answer.body["stored"], false);
        assert!(!store.load(&id).await.unwrap().unwrap().has_content());

        let mut newer: Value = serde_json::from_slice(PAYLOAD).unwrap();
        newer["data"]["timings"]["done_time"] = json!("2026-11-20T12:30:00.000000");
        let answer = authorised(&endpoint, &serde_json::to_vec(&newer).unwrap()).await;
        assert_eq!(answer.body["outcome"], "stored", "{:?}", answer.body);
        assert_eq!(store.load(&id).await.unwrap().unwrap().versions.len(), 1);
    }
}
