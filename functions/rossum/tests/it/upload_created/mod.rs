//! `rossum-upload-created`.

mod endpoint;
mod lambda_binary;
