//! `rossum-annotation-initialize`.

mod configured;
mod lambda_binary;
mod respond;
