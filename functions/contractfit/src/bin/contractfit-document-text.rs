//! The `contractfit-document-text` Lambda function: [`contractfit_functions::DOCUMENT_TEXT_FUNCTION`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&contractfit_functions::DOCUMENT_TEXT_FUNCTION)
}
