//! The `inkit-document-deleted` Lambda function: [`inkit_functions::DOCUMENT_DELETED`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&inkit_functions::DOCUMENT_DELETED)
}
