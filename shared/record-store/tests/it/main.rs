//! The integration tests of `record-store`, one module per concern.

mod common;
mod idempotency;
mod inkit_records;
mod records_table;
