//! The `rossum-annotation-initialize` Lambda function: [`rossum_functions::annotation_initialize::FUNCTION`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&rossum_functions::annotation_initialize::FUNCTION)
}
