//! The Rossum hooks: one module each for what a hook does, and here the registry, one
//! [`Function`] value per hook (its name, route, whether it is guarded, what it stores, what
//! it is built from). Each value is a Lambda binary of its name (`src/bin/`) and an entry of
//! the local server's registry ([`FUNCTIONS`]).

use idempotency::rossum_key;
use master_data::MasterData;
use rossum_rules::Settings;
use webhook_endpoint::rossum::{checked_hook_settings, parse_annotation_content};
use webhook_endpoint::{Delivery, WebhookError};
use webhook_function::{Function, Platform};
use webhook_model::rossum::AnnotationContentEvent;

pub mod annotation_export;
pub mod annotation_initialize;
pub mod annotation_status;
pub mod annotation_updated;
pub mod checks;
pub mod email_received;
pub mod master_data;
pub mod upload_created;

/// The interactive `annotation_content` hook ([`annotation_updated`]): unguarded, Rossum never
/// retries it and it writes nothing.
pub const ANNOTATION_UPDATED: Function = Function {
    name: annotation_updated::NAME,
    route: "/rossum/annotation-content/updated",
    platform: Platform::Rossum,
    idempotency_key: None,
    stores: "nothing: it answers with the master-data matches and the rules' messages",
    endpoint: |config, deps| {
        ANNOTATION_UPDATED.serve_with(
            config,
            deps,
            MasterData::of(deps),
            annotation_updated::handle,
        )
    },
};

/// The `annotation_content` `initialize` hook ([`annotation_initialize`]): read-only matching.
pub const ANNOTATION_INITIALIZE: Function = Function {
    name: annotation_initialize::NAME,
    route: "/rossum/annotation-content/initialize",
    platform: Platform::Rossum,
    idempotency_key: None,
    stores: "nothing: it answers with the master-data matches",
    endpoint: |config, deps| {
        ANNOTATION_INITIALIZE.serve_with(
            config,
            deps,
            MasterData::of(deps),
            annotation_initialize::handle,
        )
    },
};

/// The `confirm` and `export` gate ([`annotation_export`]).
pub const ANNOTATION_EXPORT: Function = Function {
    name: annotation_export::NAME,
    route: "/rossum/annotation-content/export",
    platform: Platform::Rossum,
    idempotency_key: Some(rossum_key),
    stores: "one EXPORT# record per exported annotation",
    endpoint: |config, deps| {
        ANNOTATION_EXPORT.serve_with(config, deps, deps.records(), annotation_export::handle)
    },
};

/// `annotation_status.changed` ([`annotation_status`]).
pub const ANNOTATION_STATUS: Function = Function {
    name: annotation_status::NAME,
    route: "/rossum/annotation-status",
    platform: Platform::Rossum,
    idempotency_key: Some(rossum_key),
    stores: "the annotation's status history (one STATUS# item per transition) and its LATEST status",
    endpoint: |config, deps| {
        ANNOTATION_STATUS.serve_with(config, deps, deps.records(), annotation_status::handle)
    },
};

/// `email.received` ([`email_received`]).
pub const EMAIL_RECEIVED: Function = Function {
    name: email_received::NAME,
    route: "/rossum/email",
    platform: Platform::Rossum,
    idempotency_key: Some(rossum_key),
    stores: "one EMAIL# record per email",
    endpoint: |config, deps| {
        EMAIL_RECEIVED.serve_with(config, deps, deps.records(), email_received::handle)
    },
};

/// `upload.created` ([`upload_created`]).
pub const UPLOAD_CREATED: Function = Function {
    name: upload_created::NAME,
    route: "/rossum/upload",
    platform: Platform::Rossum,
    idempotency_key: Some(rossum_key),
    stores: "nothing but the delivery's idempotency record",
    endpoint: |config, deps| UPLOAD_CREATED.serve(config, deps, upload_created::handle),
};

/// An `annotation_content` delivery of one of `actions`, and the rules' settings it carries.
pub(crate) fn annotation_content(
    delivery: &Delivery,
    actions: &[&str],
) -> Result<(AnnotationContentEvent, Settings), WebhookError> {
    let event = parse_annotation_content(delivery, actions)?;
    let settings = checked_hook_settings(&event.settings, Settings::validate)?;
    Ok((event, settings))
}

/// Every Rossum function. A new one is added here.
pub const FUNCTIONS: [&Function; 6] = [
    &ANNOTATION_UPDATED,
    &ANNOTATION_INITIALIZE,
    &ANNOTATION_EXPORT,
    &ANNOTATION_STATUS,
    &EMAIL_RECEIVED,
    &UPLOAD_CREATED,
];
