//! The `rossum-upload-created` Lambda function: [`rossum_functions::upload_created::FUNCTION`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&rossum_functions::upload_created::FUNCTION)
}
