//! The Rossum functions' integration tests, one module per function.

mod annotation_export;
mod annotation_initialize;
mod annotation_status;
mod annotation_updated;
mod email_received;
mod upload_created;
