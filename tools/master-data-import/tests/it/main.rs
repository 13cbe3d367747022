//! The import commands as a user runs them.

mod dataset_import;
mod vendor_import;
