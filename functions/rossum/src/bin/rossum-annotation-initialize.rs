//! The `rossum-annotation-initialize` Lambda function: [`rossum_functions::ANNOTATION_INITIALIZE`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&rossum_functions::ANNOTATION_INITIALIZE)
}
