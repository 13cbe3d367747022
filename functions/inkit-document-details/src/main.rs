use inkit_document_details::{StreamEvent, complete_batch};
use webhook_endpoint::{init_tracing, run_lambda_events};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), webhook_endpoint::LambdaError> {
    init_tracing();
    let records = record_store::inkit_record_store_from_env().await;
    let inkit = inkit_client::inkit_api_from_env();
    run_lambda_events(move |event: StreamEvent| {
        let (records, inkit) = (records.clone(), inkit.clone());
        async move { Ok(complete_batch(event, records, inkit).await) }
    })
    .await
}
