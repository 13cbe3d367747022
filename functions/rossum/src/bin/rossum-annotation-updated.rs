//! The `rossum-annotation-updated` Lambda function: [`rossum_functions::annotation_updated::FUNCTION`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&rossum_functions::annotation_updated::FUNCTION)
}
