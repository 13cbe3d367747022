//! The `contractfit-document-delete` Lambda function: [`contractfit_functions::DOCUMENT_DELETE`].

fn main() -> Result<(), contractfit_functions::LambdaError> {
    contractfit_functions::main(&contractfit_functions::DOCUMENT_DELETE)
}
