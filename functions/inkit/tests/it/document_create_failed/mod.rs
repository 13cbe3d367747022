//! `inkit-document-create-failed`.

mod dynamodb;
mod endpoint;
mod lambda_binary;
