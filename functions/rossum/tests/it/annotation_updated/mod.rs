//! `rossum-annotation-updated`.

mod endpoint;
mod hostile_lambda_events;
mod lambda_binary;
mod respond;
