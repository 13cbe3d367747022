//! The `contractfit-document-text` Lambda function: [`contractfit_functions::DOCUMENT_TEXT`].

fn main() -> Result<(), contractfit_functions::LambdaError> {
    contractfit_functions::main(&contractfit_functions::DOCUMENT_TEXT)
}
