//! The `rossum-annotation-updated` Lambda function: [`rossum_functions::ANNOTATION_UPDATED`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&rossum_functions::ANNOTATION_UPDATED)
}
