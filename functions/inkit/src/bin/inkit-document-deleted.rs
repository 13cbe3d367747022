//! The `inkit-document-deleted` Lambda function: [`inkit_functions::document_deleted::FUNCTION`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&inkit_functions::document_deleted::FUNCTION)
}
