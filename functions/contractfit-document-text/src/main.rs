use webhook_endpoint::LambdaError;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), LambdaError> {
    contractfit_store::webhook::run_function(contractfit_document_text::endpoint).await
}
