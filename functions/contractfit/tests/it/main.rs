//! The contract.fit functions' tests, one test binary: every function through its endpoint
//! with the in-memory store (`endpoint`), into DynamoDB Local (`dynamodb`), and as its built
//! Lambda binary (`lambda_binary`). What every function must show is written once
//! (`common::checks`) and run as a test of each function's module.

mod common;
mod dynamodb;
mod endpoint;
mod lambda_binary;
