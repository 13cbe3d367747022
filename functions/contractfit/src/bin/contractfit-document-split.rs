//! The `contractfit-document-split` Lambda function: [`contractfit_functions::DOCUMENT_SPLIT_FUNCTION`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&contractfit_functions::DOCUMENT_SPLIT_FUNCTION)
}
