//! The integration tests of `master-data-store`, one module per concern.

mod common;
mod datasets;
mod datasets_large;
mod import_large;
mod master_data;
mod vendor_round_trips;
