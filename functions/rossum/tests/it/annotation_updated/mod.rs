//! `rossum-annotation-updated`.

pub(crate) mod endpoint;
mod hostile_lambda_events;
pub(crate) mod lambda_binary;
mod respond;
