//! `rossum-email-received`.

mod common;
mod dynamodb;
mod endpoint;
mod lambda_binary;
mod rules;
mod sender;
