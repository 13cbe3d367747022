//! `rossum-annotation-status`.

mod common;
mod dynamodb;
mod endpoint;
mod lambda_binary;
mod rules;
