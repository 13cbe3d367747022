//! The import commands of the master-data table, and what they share.
//!
//! - [`vendors`]: `vendor-import`, vendors into DynamoDB or the local server's vendor file.
//! - [`datasets`]: `dataset-import`'s command line, datasets into DynamoDB.
//! - [`progress`]: the progress both draw.

pub mod datasets;
pub mod progress;
pub mod vendors;
