//! `rossum-annotation-initialize`.

mod configured;
mod datasets;
mod lambda_binary;
mod respond;
