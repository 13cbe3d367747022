//! The `inkit-document-create-failed` Lambda function: [`inkit_functions::document_create_failed::FUNCTION`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&inkit_functions::document_create_failed::FUNCTION)
}
