//! The `contractfit-document-split` Lambda function: [`contractfit_functions::DOCUMENT_SPLIT`].

fn main() -> Result<(), contractfit_functions::LambdaError> {
    contractfit_functions::main(&contractfit_functions::DOCUMENT_SPLIT)
}
