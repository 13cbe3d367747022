//! The `rossum-annotation-export` Lambda function: [`rossum_functions::annotation_export::FUNCTION`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&rossum_functions::annotation_export::FUNCTION)
}
