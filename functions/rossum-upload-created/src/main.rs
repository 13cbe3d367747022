use webhook_endpoint::{EndpointConfig, SecretSource, env_names, init_tracing, run_lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), webhook_endpoint::LambdaError> {
    init_tracing();
    let config = EndpointConfig::from_env(SecretSource::Environment);
    config.log_startup_findings(&[env_names::ROSSUM_SECRET]);
    let idempotency = record_store::idempotency_store_from_env().await;
    run_lambda(rossum_upload_created::endpoint(&config, idempotency)).await
}
