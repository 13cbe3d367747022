//! Vendor master data and the matching of an invoice's supplier against it.
//!
//! - [`normalize`]: the keys vendors are found by (VAT id, IBAN, name) and fuzzy name scoring.
//! - [`Vendor`] and [`read_vendor_file`]: vendor records and the CSV / JSON Lines files they
//!   are imported from, with every rejected row reported by line.
//! - [`VendorStore`]: what matching needs from a store; [`InMemoryVendorStore`] implements it
//!   here (the local server's default), the DynamoDB implementation lives in its own crate.
//! - [`match_vendor`]: an ordered list of queries, first hit wins, as Rossum's Master Data Hub.

mod file;
mod matching;
pub mod normalize;
mod store;
mod vendor;

pub use file::{ReadVendors, RejectedRow, read_vendor_file, read_vendors};
pub use matching::{MatchInputs, MatchOutcome, QueryKind, match_vendor};
pub use store::{
    Candidate, InMemoryVendorStore, Lookup, MASTER_DATA, StoreFuture, Unavailable,
    UnavailableVendorStore, VendorStore, index_keys, lookup_keys, master_data_unavailable,
    rank_fuzzy_candidates,
};
pub use vendor::{Vendor, VendorError};
