use inkit_document_details::{StreamEvent, complete_batch};
use webhook_endpoint::{init_tracing, run_lambda_events};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), webhook_endpoint::LambdaError> {
    init_tracing();
    let records = record_store::inkit_record_store_from_env().await;
    let inkit = inkit_client::inkit_api_from_env();
    run_lambda_events(move |event: StreamEvent, request_id| {
        let (records, inkit) = (records.clone(), inkit.clone());
        async move {
            let started = std::time::Instant::now();
            let size = event.records.len();
            let response = complete_batch(event, records, inkit).await;
            tracing::info!(
                function = inkit_document_details::FUNCTION_NAME,
                request_id,
                records = size,
                pending = response.batch_item_failures.len(),
                latency_ms = started.elapsed().as_secs_f64() * 1000.0,
                "batch handled"
            );
            Ok(response)
        }
    })
    .await
}
