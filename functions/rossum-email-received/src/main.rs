use webhook_endpoint::{EndpointConfig, SecretSource, env_names, init_tracing, run_lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), webhook_endpoint::LambdaError> {
    init_tracing();
    let config = EndpointConfig::from_env(SecretSource::Environment);
    config.log_startup_findings(&[env_names::ROSSUM_SECRET]);
    let records = record_store::record_store_from_env().await;
    let idempotency = record_store::idempotency_store_from_env().await;
    run_lambda(rossum_email_received::endpoint(
        &config,
        records,
        idempotency,
    ))
    .await
}
