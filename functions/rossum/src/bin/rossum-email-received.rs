//! The `rossum-email-received` Lambda function: [`rossum_functions::EMAIL_RECEIVED`].

fn main() -> Result<(), webhook_function::LambdaError> {
    webhook_function::lambda_main(&rossum_functions::EMAIL_RECEIVED)
}
