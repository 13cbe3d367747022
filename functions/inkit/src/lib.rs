//! The Inkit webhooks, one module and one [`Function`] value each, each value a Lambda binary
//! of its name (`src/bin/`) and an entry of the local server's registry ([`FUNCTIONS`]); and
//! the worker that completes the details of documents whose fetch did not finish in time
//! ([`WORKERS`]).

use webhook_function::{Function, Worker};

pub mod document_create_failed;
pub mod document_create_finished;
pub mod document_deleted;
pub mod document_details;
pub mod recorder;

/// Every Inkit function served at a route. A new one is added here.
pub const FUNCTIONS: [&Function; 3] = [
    &document_create_finished::FUNCTION,
    &document_create_failed::FUNCTION,
    &document_deleted::FUNCTION,
];

/// Every Inkit function an event source drives.
pub const WORKERS: [&Worker; 1] = [&document_details::WORKER];
