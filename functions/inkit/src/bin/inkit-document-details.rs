//! The `inkit-document-details` Lambda function: [`inkit_functions::document_details::WORKER`],
//! driven by the records table's DynamoDB stream.

fn main() -> Result<(), webhook_function::LambdaError> {
    inkit_functions::document_details::lambda_main()
}
