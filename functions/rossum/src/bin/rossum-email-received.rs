//! The `rossum-email-received` Lambda function: [`rossum_functions::email_received::FUNCTION`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&rossum_functions::email_received::FUNCTION)
}
