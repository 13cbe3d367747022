//! The Inkit functions' integration tests, one module per function, and the refusals every
//! Inkit webhook shares.

mod document_create_failed;
mod document_create_finished;
mod document_deleted;
mod document_details;
mod support;
mod webhooks;
