//! `rossum-annotation-initialize`.

mod lambda_binary;
mod respond;
