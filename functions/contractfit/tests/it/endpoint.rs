//! The whole request path as the Lambda and the local server run it, with the in-memory
//! store: what each function stores, and every refusal.

/// The checks every contract.fit endpoint must pass, each a test of the module this is
/// expanded in, for `$function`.
macro_rules! endpoint_checks {
    ($function:expr) => {
        crate::common::check_tests!(#[tokio::test] $function => {
            the_sample_delivery_is_stored_once: stores_its_event_once,
            a_wrong_or_missing_token_is_401: refuses_a_wrong_or_missing_token,
            another_organisation_is_403: refuses_another_organisation,
            other_events_are_422_naming_the_expected_one: refuses_other_events,
            document_fail_and_document_reject_are_recorded_and_acknowledged:
                records_fail_and_reject,
            malformed_bodies_are_400: refuses_malformed_bodies,
            a_failing_store_is_503: answers_503_when_the_store_fails,
        });
    };
}

mod text {
    use std::sync::Arc;

    use contractfit_store::{ContractFitStore, InMemoryContractFitStore};
    use serde_json::json;

    use crate::common::{TEXT, authorised};

    endpoint_checks!(TEXT);

    #[tokio::test]
    async fn the_text_is_stored_exactly_as_sent_and_never_echoed() {
        let (store, answer) = TEXT.sample_stored().await;
        let payload = TEXT.payload_json();
        let sent = payload["data"]["text"].as_str().unwrap();
        let stored = store.load(&TEXT.document_id()).await.unwrap().unwrap();
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
        let mut payload = TEXT.payload_json();
        payload["data"]["text"] = json!(["page 1", "page 2"]);
        let answer = authorised(
            &TEXT.endpoint(store.clone()),
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
        assert_eq!(store.load(&TEXT.document_id()).await.unwrap(), None);
    }
}

mod split {
    use contractfit_store::ContractFitStore;

    use crate::common::SPLIT;

    endpoint_checks!(SPLIT);

    #[tokio::test]
    async fn sections_are_stored_with_their_numbers() {
        let (store, _) = SPLIT.sample_stored().await;
        let stored = store.load(&SPLIT.document_id()).await.unwrap().unwrap();
        let sections = stored.sections.unwrap().sections;
        assert_eq!(sections.len(), 2);
        assert_eq!(sections[0].document_type, "invoice");
        assert_eq!(sections[0].confidence.raw, "94");
        assert_eq!(sections[0].confidence.value, Some(94.0));
        assert_eq!(sections[1].page.raw, "2");
        assert_eq!(sections[1].page.value, Some(2));
    }
}

mod predict {
    use std::sync::Arc;

    use contractfit_store::{ContractFitStore, Delivery, InMemoryContractFitStore, Timestamp};
    use serde_json::json;
    use webhook_model::contractfit::ContractFitEvent;

    use crate::common::{PREDICT, authorised};

    endpoint_checks!(PREDICT);

    #[tokio::test]
    async fn the_document_json_is_stored_whole() {
        let (store, _) = PREDICT.sample_stored().await;
        let payload = PREDICT.payload_json();
        let stored = store.load(&PREDICT.document_id()).await.unwrap().unwrap();
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
        let id = PREDICT.document_id();
        let deleted_at = Timestamp::parse("2026-11-20T12:00:00Z").unwrap();
        let delete = Delivery::new(
            ContractFitEvent::DocumentDelete,
            id.clone(),
            &json!({"id": id.as_str()}),
            deleted_at,
        );
        store.delete_document(&delete).await.unwrap();
        let endpoint = PREDICT.endpoint(store.clone());

        // The sample was produced at 09:05, before the deletion: acknowledged, not stored.
        let answer = authorised(&endpoint, PREDICT.payload).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert_eq!(answer.body["outcome"], "document_deleted");
        assert_eq!(answer.body["stored"], false);
        assert!(!store.load(&id).await.unwrap().unwrap().has_content());

        let mut newer = PREDICT.payload_json();
        newer["data"]["timings"]["done_time"] = json!("2026-11-20T12:30:00.000000");
        let answer = authorised(&endpoint, &serde_json::to_vec(&newer).unwrap()).await;
        assert_eq!(answer.body["outcome"], "stored", "{:?}", answer.body);
        assert_eq!(store.load(&id).await.unwrap().unwrap().versions.len(), 1);
    }
}

mod evaluate {
    use std::sync::Arc;

    use contractfit_store::{ContractFitStore, InMemoryContractFitStore};
    use serde_json::{Value, json};

    use crate::common::{EVALUATE, authorised, prediction_stored};

    endpoint_checks!(EVALUATE);

    #[tokio::test]
    async fn each_reviewed_content_is_a_version_next_to_the_prediction() {
        let store = Arc::new(InMemoryContractFitStore::new());
        let payload = EVALUATE.payload_json();
        let id = EVALUATE.document_id();
        let mut predicted = payload["data"].clone();
        predicted["feedback"] = Value::Null;
        prediction_stored(&*store, &id, &predicted).await;

        let mut corrected = payload.clone();
        corrected["data"]["feedback"]["fields"]["purchase_order"][0]["value"] = json!("PO-88214");
        for (body, outcome) in [
            (&payload, "stored"),
            (&payload, "duplicate"),
            (&corrected, "stored"),
        ] {
            // A new endpoint each time (an empty idempotency store): the versions are the store's.
            let endpoint = EVALUATE.endpoint(store.clone());
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
}

mod delete {
    use std::sync::Arc;

    use contractfit_store::{ContractFitStore, InMemoryContractFitStore, Stored};

    use crate::common::{DELETE, authorised, text_stored};

    endpoint_checks!(DELETE);

    #[tokio::test]
    async fn a_delete_removes_what_was_stored_and_later_events_store_nothing() {
        let store = Arc::new(InMemoryContractFitStore::new());
        let id = DELETE.document_id();
        let text_delivery = text_stored(&*store, &id, "OCR text").await;

        let answer = authorised(&DELETE.endpoint(store.clone()), DELETE.payload).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert_eq!(answer.body["outcome"], "stored");
        let stored = store.load(&id).await.unwrap().unwrap();
        assert!(!stored.has_content(), "{stored:?}");
        assert!(stored.deletion.unwrap().complete);
        assert_eq!(
            store.store_text(&text_delivery, "OCR text").await,
            Ok(Stored::AfterDeletion)
        );
    }
}
