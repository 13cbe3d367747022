//! The `rossum-annotation-export` Lambda function: [`rossum_functions::ANNOTATION_EXPORT`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&rossum_functions::ANNOTATION_EXPORT)
}
