//! The `contractfit-document-delete` Lambda function: [`contractfit_functions::DOCUMENT_DELETE_FUNCTION`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&contractfit_functions::DOCUMENT_DELETE_FUNCTION)
}
