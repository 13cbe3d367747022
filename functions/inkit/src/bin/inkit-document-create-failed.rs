//! The `inkit-document-create-failed` Lambda function: [`inkit_functions::DOCUMENT_CREATE_FAILED`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&inkit_functions::DOCUMENT_CREATE_FAILED)
}
