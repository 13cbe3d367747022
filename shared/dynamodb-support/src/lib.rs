//! What every DynamoDB store of the project is built on, once:
//!
//! - **the client** ([`connect`], [`shared_client_from_env`]): one per process, its HTTPS
//!   on rustls trusting the Amazon Trust Services roots compiled into the binary
//!   ([`https_client`]), DynamoDB Local when `DYNAMODB_ENDPOINT` is set;
//! - **batches** ([`batch_write_item`], [`Unfinished`]): what DynamoDB leaves unprocessed
//!   sent again under a backoff;
//! - **transactions** ([`transact_write`]): retried while another transaction holds the same
//!   items, with the per-item cancellation reasons read by [`classify_cancellation`];
//! - **tables** ([`wait_until_table_active`], [`check_pk_sk_schema`], [`create_table`]): the
//!   waiter, the `pk` + `sk` key schema every table here has, creating one unless it exists;
//! - **items** ([`s`], [`n`], [`Attributes`]): attribute values written and read back, each
//!   mismatch an [`Unavailable`] of the store that read it; [`get_item`] of a key, and
//!   [`condition_failed`] telling a conditional write's answer from its failure;
//! - **errors** ([`sdk_error`]): an SDK failure naming the operation and table, with the
//!   whole cause chain.

mod attribute;
mod batch;
mod client;
mod error;
mod https;
mod request;
mod table;
mod transaction;

pub use attribute::{Attributes, Item, PK, SK, n, s};
pub use batch::{Unfinished, attempts, batch_write_item};
pub use client::{
    DYNAMODB_ENDPOINT_ENV, connect, lambda_sdk_config, non_empty_env, sdk_config,
    shared_client_from_env,
};
pub use error::{sdk_error, sdk_failure};
pub use https::{
    CA_BUNDLE_ENV, https_client, https_client_with_bundle, https_client_with_extra_roots,
};
pub use request::{condition_failed, get_item};
pub use table::{
    attribute_definition, check_pk_sk_schema, create_table, key_schema_element,
    wait_until_table_active,
};
pub use transaction::{
    Cancellation, TRANSACTION_ATTEMPTS, cancellation_reasons, classify_cancellation, reason_code,
    transact_write,
};
pub use unavailable::Unavailable;
