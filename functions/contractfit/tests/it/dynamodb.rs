//! Through each endpoint into DynamoDB Local.

/// The sample delivery through the endpoint of `$function` into DynamoDB Local, stored once.
macro_rules! stored_once_in_dynamodb {
    ($function:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn the_sample_delivery_is_stored_once_in_dynamodb() {
            crate::common::checks::stores_once_in_dynamodb(&$function).await;
        }
    };
}

mod text {
    use std::sync::Arc;

    use contractfit_store::{ContractFitStore, DynamoContractFitStore};
    use serde_json::{Value, json};
    use webhook_test_support::{drop_table, item_count, records_table};

    use crate::common::{TEXT, authorised};

    stored_once_in_dynamodb!(TEXT);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_text_of_megabytes_round_trips_through_the_endpoint() {
        let (client, table) = records_table("contractfit", "text-large").await;
        let store = Arc::new(DynamoContractFitStore::new(client.clone(), &table));
        let mut payload: Value = serde_json::from_slice(TEXT.payload).unwrap();
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
        assert!(item_count(&client, &table).await >= 3);
        drop_table(&client, &table).await;
    }
}

mod split {
    use crate::common::SPLIT;

    stored_once_in_dynamodb!(SPLIT);
}

mod predict {
    use crate::common::PREDICT;

    stored_once_in_dynamodb!(PREDICT);
}

mod evaluate {
    use crate::common::EVALUATE;

    stored_once_in_dynamodb!(EVALUATE);
}

mod delete {
    use std::sync::Arc;

    use contractfit_store::{ContractFitStore, Delivery, DynamoContractFitStore};
    use serde_json::json;
    use webhook_model::contractfit::ContractFitEvent;
    use webhook_test_support::{drop_table, item_count, records_table};

    use crate::common::{DELETE, authorised};

    stored_once_in_dynamodb!(DELETE);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_delete_through_the_endpoint_leaves_only_the_marker() {
        let (client, table) = records_table("contractfit", "delete-items").await;
        let store = Arc::new(DynamoContractFitStore::new(client.clone(), &table));
        let id = DELETE.document_id();
        let text: String = "Seite 1 — Rechnung Nr. 0871\n".repeat(40_000);
        let data = json!({"id": id.as_str(), "text": text});
        let delivery = Delivery::new(
            ContractFitEvent::DocumentText,
            id.clone(),
            &data,
            contractfit_store::now(),
        );
        store.store_text(&delivery, &text).await.unwrap();
        let document = json!({"id": id.as_str(), "inbox": "6a1f3c0e5b9d2e4f10a7c388"});
        let predict = Delivery::new(
            ContractFitEvent::DocumentPredict,
            id.clone(),
            &document,
            contractfit_store::now(),
        );
        store.store_document(&predict, &document).await.unwrap();
        assert!(item_count(&client, &table).await >= 5);

        let answer = authorised(&DELETE.endpoint(store.clone()), DELETE.payload).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert_eq!(
            item_count(&client, &table).await,
            1,
            "only the deletion marker"
        );
        let again = authorised(&DELETE.endpoint(store.clone()), DELETE.payload).await;
        assert_eq!(again.body["outcome"], "duplicate");
        drop_table(&client, &table).await;
    }
}
