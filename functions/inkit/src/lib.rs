//! The Inkit webhooks: one module each for what a webhook does, and here the registry, one
//! [`Function`] value per webhook, each a Lambda binary of its name (`src/bin/`) and an
//! entry of the local server's registry ([`FUNCTIONS`]); and the worker that completes the
//! details of documents whose fetch did not finish in time ([`WORKERS`]).

use idempotency::inkit_key;
use webhook_function::{Function, Platform, Worker};

pub mod document_create_failed;
pub mod document_create_finished;
pub mod document_deleted;
pub mod document_details;
pub mod recorder;

/// `DOCUMENT_CREATE_FINISHED` ([`document_create_finished`]).
pub const DOCUMENT_CREATE_FINISHED: Function = Function {
    name: document_create_finished::NAME,
    route: "/inkit/document-create-finished",
    platform: Platform::Inkit(document_create_finished::EVENT_TYPE),
    idempotency_key: Some(inkit_key),
    stores: "one EVENT# item per event and the document's DOCUMENT item, with its details once fetched",
    endpoint: |config, deps| {
        let pending = document_create_finished::pending_details(deps);
        document_create_finished::endpoint(config, deps, pending)
    },
};

/// `DOCUMENT_CREATE_FAILED` ([`document_create_failed`]).
pub const DOCUMENT_CREATE_FAILED: Function = Function {
    name: document_create_failed::NAME,
    route: "/inkit/document-create-failed",
    platform: Platform::Inkit(document_create_failed::EVENT_TYPE),
    idempotency_key: Some(inkit_key),
    stores: "one EVENT# item per event and the document's DOCUMENT item, marked failed",
    endpoint: |config, deps| {
        let record = |delivery, records| document_create_failed::RECORDER.handle(delivery, records);
        DOCUMENT_CREATE_FAILED.serve_with(config, deps, deps.inkit_records(), record)
    },
};

/// `DOCUMENT_DELETED` ([`document_deleted`]).
pub const DOCUMENT_DELETED: Function = Function {
    name: document_deleted::NAME,
    route: "/inkit/document-deleted",
    platform: Platform::Inkit(document_deleted::EVENT_TYPE),
    idempotency_key: Some(inkit_key),
    stores: "one EVENT# item per event and the document's DOCUMENT item, marked deleted",
    endpoint: |config, deps| {
        let record = |delivery, records| document_deleted::RECORDER.handle(delivery, records);
        DOCUMENT_DELETED.serve_with(config, deps, deps.inkit_records(), record)
    },
};

/// Every Inkit function served at a route. A new one is added here.
pub const FUNCTIONS: [&Function; 3] = [
    &DOCUMENT_CREATE_FINISHED,
    &DOCUMENT_CREATE_FAILED,
    &DOCUMENT_DELETED,
];

/// Every Inkit function an event source drives.
pub const WORKERS: [&Worker; 1] = [&document_details::WORKER];
