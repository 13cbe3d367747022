//! The `domain-events-publisher` Lambda function: [`downstream_functions::WORKER`], driven by
//! the records table's DynamoDB stream.

fn main() -> Result<(), webhook_function::LambdaError> {
    downstream_functions::lambda_main()
}
