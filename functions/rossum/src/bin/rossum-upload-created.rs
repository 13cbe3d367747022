//! The `rossum-upload-created` Lambda function: [`rossum_functions::UPLOAD_CREATED`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&rossum_functions::UPLOAD_CREATED)
}
