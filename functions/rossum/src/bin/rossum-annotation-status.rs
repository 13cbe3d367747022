//! The `rossum-annotation-status` Lambda function: [`rossum_functions::ANNOTATION_STATUS`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&rossum_functions::ANNOTATION_STATUS)
}
