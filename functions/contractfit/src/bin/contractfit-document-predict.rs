//! The `contractfit-document-predict` Lambda function: [`contractfit_functions::DOCUMENT_PREDICT_FUNCTION`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&contractfit_functions::DOCUMENT_PREDICT_FUNCTION)
}
