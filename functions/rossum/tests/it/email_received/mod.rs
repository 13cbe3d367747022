//! `rossum-email-received`.

pub(crate) mod common;
mod dynamodb;
mod endpoint;
mod lambda_binary;
mod rules;
mod sender;
