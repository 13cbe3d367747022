//! The rules Rossum users write into their hooks, as pure functions over the annotation
//! content tree (and, for vendor matching, a [`vendor_matching::VendorStore`]).
//!
//! Every rule is configured through the hook's `settings` ([`Settings`]); each function
//! crate picks the rules its event needs.

mod amounts;
mod required;
mod settings;
mod sums;
mod vendor;
mod zero_vat;

pub use amounts::{amount_of, parse_amount};
pub use required::missing_required_fields;
pub use settings::{Settings, SettingsError};
pub use sums::{SumFailure, sum_checks};
pub use vendor::{VendorMatch, match_vendor_datapoint, matching_inputs_changed};
pub use zero_vat::zero_vat_rates;
