//! The Rossum functions' integration tests, one module per function, and the refusals every
//! Rossum hook shares.

mod annotation_export;
mod annotation_initialize;
mod annotation_status;
mod annotation_updated;
mod checks;
mod email_received;
mod hooks;
mod support;
mod upload_created;
