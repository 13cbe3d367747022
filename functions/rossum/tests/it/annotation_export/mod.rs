//! `rossum-annotation-export`.

pub(crate) mod common;
mod dynamodb;
mod endpoint;
mod lambda_binary;
mod rules;
