use webhook_endpoint::{EndpointConfig, SecretSource, init_tracing, run_lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), webhook_endpoint::LambdaError> {
    init_tracing();
    let config = EndpointConfig::from_env(SecretSource::Environment);
    config.log_inkit_startup_findings(&inkit_document_create_finished::EVENT_TYPE);
    let records = record_store::inkit_record_store_from_env().await;
    let idempotency = record_store::idempotency_store_from_env().await;
    let inkit = inkit_client::inkit_api_from_env();
    run_lambda(inkit_document_create_finished::endpoint(
        &config,
        records,
        inkit,
        // On AWS the records table's stream hands pending details to inkit-document-details.
        std::sync::Arc::new(inkit_document_create_finished::RetriedFromTheStream),
        idempotency,
    ))
    .await
}
