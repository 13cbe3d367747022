//! Through each endpoint into DynamoDB Local.

/// The sample delivery through the endpoint of `$function` into DynamoDB Local, stored once.
macro_rules! stored_once_in_dynamodb {
    ($function:expr) => {
        crate::common::check_tests!(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)] $function => {
                the_sample_delivery_is_stored_once_in_dynamodb: stores_once_in_dynamodb,
            }
        );
    };
}

mod text {
    use contractfit_store::ContractFitStore;
    use serde_json::json;

    use crate::common::{TEXT, authorised, contractfit_table};

    stored_once_in_dynamodb!(TEXT);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_text_of_megabytes_round_trips_through_the_endpoint() {
        let (records, store) = contractfit_table("text-large").await;
        let mut payload = TEXT.payload_json();
        let page = payload["data"]["text"].as_str().unwrap().to_owned();
        let text: String = (1..=2_000)
            .map(|n| format!("--- page {n} ---\n{page}"))
            .collect();
        assert!(text.len() > 1_500_000);
        payload["data"]["text"] = json!(text);
        let body = serde_json::to_vec(&payload).unwrap();
        for outcome in ["stored", "duplicate"] {
            // A new endpoint each time (an empty idempotency store): the store de-duplicates.
            let endpoint = TEXT.endpoint(store.clone());
            let answer = authorised(&endpoint, &body).await;
            assert_eq!(answer.status, 200, "{:?}", answer.body);
            assert_eq!(answer.body["outcome"], outcome);
        }
        let stored = store.load(&TEXT.document_id()).await.unwrap().unwrap();
        assert!(stored.text.unwrap().text == text, "byte-identical");
        // The text item, its part(s) and the delivery key.
        assert!(records.item_count().await >= 3);
        records.drop_table().await;
    }
}

mod split {
    stored_once_in_dynamodb!(crate::common::SPLIT);
}

mod predict {
    stored_once_in_dynamodb!(crate::common::PREDICT);
}

mod evaluate {
    stored_once_in_dynamodb!(crate::common::EVALUATE);
}

mod delete {
    use serde_json::json;

    use crate::common::{DELETE, authorised, contractfit_table, prediction_stored, text_stored};

    stored_once_in_dynamodb!(DELETE);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_delete_through_the_endpoint_leaves_only_the_marker() {
        let (records, store) = contractfit_table("delete-items").await;
        let id = DELETE.document_id();
        let text = "Seite 1 — Rechnung Nr. 0871\n".repeat(40_000);
        text_stored(&*store, &id, &text).await;
        let document = json!({"id": id.as_str(), "inbox": "6a1f3c0e5b9d2e4f10a7c388"});
        prediction_stored(&*store, &id, &document).await;
        assert!(records.item_count().await >= 5);

        let answer = authorised(&DELETE.endpoint(store.clone()), DELETE.payload).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert_eq!(records.item_count().await, 1, "only the deletion marker");
        let again = authorised(&DELETE.endpoint(store.clone()), DELETE.payload).await;
        assert_eq!(again.body["outcome"], "duplicate");
        records.drop_table().await;
    }
}
