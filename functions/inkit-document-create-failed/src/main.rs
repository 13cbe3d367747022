use webhook_endpoint::{EndpointConfig, SecretSource, init_tracing, run_lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), webhook_endpoint::LambdaError> {
    init_tracing();
    let config = EndpointConfig::from_env(SecretSource::Environment);
    config.log_inkit_startup_findings(&inkit_document_create_failed::EVENT_TYPE);
    let records = record_store::inkit_record_store_from_env().await;
    let idempotency = record_store::idempotency_store_from_env().await;
    run_lambda(inkit_document_create_failed::endpoint(
        &config,
        records,
        idempotency,
    ))
    .await
}
