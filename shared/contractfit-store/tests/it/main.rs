//! The integration tests of `contractfit-store`, one module per concern.

mod common;
mod dynamodb;
mod memory;
