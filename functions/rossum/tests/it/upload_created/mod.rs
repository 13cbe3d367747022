//! `rossum-upload-created`.

pub(crate) mod common;
mod endpoint;
mod lambda_binary;
