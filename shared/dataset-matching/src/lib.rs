//! Rossum Master Data Hub matching run over one annotation: the configurations of
//! [`matching_config::MatchingSettings`] against the datasets of a
//! [`dataset_store::DatasetStore`], giving the hook answer's operations, messages and
//! automation blockers.
//!
//! - A configuration whose target is a header field runs once; one whose target is a column
//!   of a line-item table runs once per row, its placeholders naming that table's columns
//!   taking the row's values and the others the header's.
//! - Its queries are tried in order over the rows still without a result; each query costs
//!   one store call for all rows (their distinct keys batched), not one per row.
//! - Each configuration sees what earlier ones set (chaining). On `updated` a configuration
//!   runs only where a datapoint it reads changed, by the user or by an earlier one.
//! - Results: `find` in dataset order, `fuzzy` best first; `best_match` is the first;
//!   options are the results (at most `max_options`), the default first when it is
//!   selected and not empty.

mod annotation;
mod run;

pub use run::{Annotation, MAX_STORE_CALLS, MatchingAnswer, MatchingError, Trigger, run_matching};
