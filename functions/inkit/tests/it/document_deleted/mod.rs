//! `inkit-document-deleted`.

mod common;
mod dynamodb;
mod endpoint;
mod lambda_binary;
