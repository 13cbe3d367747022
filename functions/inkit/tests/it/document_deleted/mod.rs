//! `inkit-document-deleted`.

mod dynamodb;
mod endpoint;
mod lambda_binary;
