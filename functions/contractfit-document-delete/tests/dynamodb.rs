//! Through the endpoint into DynamoDB Local.

mod common;

use common::function;
use contractfit_store::testing::checks;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_delivery_is_stored_once_in_dynamodb() {
    checks::stores_once_in_dynamodb(&function()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_through_the_endpoint_leaves_only_the_marker() {
    use std::sync::Arc;

    use contractfit_store::testing::{authorised, item_count, records_table};
    use contractfit_store::{ContractFitStore, Delivery, DynamoContractFitStore};
    use serde_json::json;
    use webhook_model::contractfit::ContractFitEvent;

    let (client, table) = records_table("delete-items").await;
    let store = Arc::new(DynamoContractFitStore::new(client.clone(), &table));
    let id = function().document_id();
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

    let answer = authorised(&function().endpoint(store.clone()), common::PAYLOAD).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(
        item_count(&client, &table).await,
        1,
        "only the deletion marker"
    );
    let again = authorised(&function().endpoint(store.clone()), common::PAYLOAD).await;
    assert_eq!(again.body["outcome"], "duplicate");
    let _ = client.delete_table().table_name(&table).send().await;
}
