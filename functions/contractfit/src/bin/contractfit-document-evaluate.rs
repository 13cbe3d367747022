//! The `contractfit-document-evaluate` Lambda function: [`contractfit_functions::DOCUMENT_EVALUATE_FUNCTION`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&contractfit_functions::DOCUMENT_EVALUATE_FUNCTION)
}
