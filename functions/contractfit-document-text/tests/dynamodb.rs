//! Through the endpoint into DynamoDB Local.

mod common;

use common::function;
use contractfit_store::testing::checks;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_delivery_is_stored_once_in_dynamodb() {
    checks::stores_once_in_dynamodb(&function()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_of_megabytes_round_trips_through_the_endpoint() {
    use std::sync::Arc;

    use contractfit_store::testing::{authorised, item_count, records_table};
    use contractfit_store::{ContractFitStore, DynamoContractFitStore};
    use serde_json::{Value, json};

    let (client, table) = records_table("text-large").await;
    let store = Arc::new(DynamoContractFitStore::new(client.clone(), &table));
    let mut payload: Value = serde_json::from_slice(common::PAYLOAD).unwrap();
    let page = payload["data"]["text"].as_str().unwrap().to_owned();
    let text: String = (1..=2_000)
        .map(|n| format!("--- page {n} ---\n{page}"))
        .collect();
    assert!(text.len() > 1_500_000);
    payload["data"]["text"] = json!(text);
    let body = serde_json::to_vec(&payload).unwrap();
    for outcome in ["stored", "duplicate"] {
        // A new endpoint each time (an empty idempotency store): the store de-duplicates.
        let endpoint = function().endpoint(store.clone());
        let answer = authorised(&endpoint, &body).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert_eq!(answer.body["outcome"], outcome);
    }
    let stored = store
        .load(&function().document_id())
        .await
        .unwrap()
        .unwrap();
    assert!(stored.text.unwrap().text == text, "byte-identical");
    // The text item, its part(s) and the delivery key.
    assert!(item_count(&client, &table).await >= 3);
    let _ = client.delete_table().table_name(&table).send().await;
}
