//! The `contractfit-document-evaluate` Lambda function: [`contractfit_functions::DOCUMENT_EVALUATE`].

fn main() -> Result<(), contractfit_functions::LambdaError> {
    contractfit_functions::main(&contractfit_functions::DOCUMENT_EVALUATE)
}
