//! The `inkit-document-create-finished` Lambda function: [`inkit_functions::document_create_finished::FUNCTION`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&inkit_functions::document_create_finished::FUNCTION)
}
