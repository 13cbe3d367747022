//! `inkit-document-create-finished`.

mod common;
mod dynamodb;
mod endpoint;
mod lambda_binary;
