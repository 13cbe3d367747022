//! `inkit-document-create-failed`.

mod common;
mod dynamodb;
mod endpoint;
mod lambda_binary;
