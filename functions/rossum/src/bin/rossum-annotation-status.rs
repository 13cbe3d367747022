//! The `rossum-annotation-status` Lambda function: [`rossum_functions::annotation_status::FUNCTION`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&rossum_functions::annotation_status::FUNCTION)
}
