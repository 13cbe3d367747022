//! The `contractfit-document-predict` Lambda function: [`contractfit_functions::DOCUMENT_PREDICT`].

fn main() -> Result<(), contractfit_functions::LambdaError> {
    contractfit_functions::main(&contractfit_functions::DOCUMENT_PREDICT)
}
