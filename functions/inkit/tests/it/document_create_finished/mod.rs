//! `inkit-document-create-finished`.

pub(crate) mod common;
mod dynamodb;
mod endpoint;
mod lambda_binary;
