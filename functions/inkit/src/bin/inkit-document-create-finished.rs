//! The `inkit-document-create-finished` Lambda function: [`inkit_functions::DOCUMENT_CREATE_FINISHED`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&inkit_functions::DOCUMENT_CREATE_FINISHED)
}
