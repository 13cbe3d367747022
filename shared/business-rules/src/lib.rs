//! Rossum's Business Rules Validation (BRV), as a Rossum user pastes it into a hook's settings
//! (`{"checks": [...], "variables": {...}}`): the checks read and bounded before anything
//! runs ([`RulesSettings`]), then evaluated over an annotation ([`run_checks`]) in the
//! Expression Engine's language ([`expression_engine`]).
//!
//! - A check's `rule` is true when the data is right; when it is false the check's `message`
//!   is shown (`type` error, warning or info), and on `initialize` an error, or any check with
//!   `automation_blocker: true`, blocks automation.
//! - A rule that reads a line-item column outside an aggregate runs once per row, and its
//!   message goes on the failing rows only; a rule may read one table.
//! - An empty operand skips the rule (per row for line items), as the Expression Engine does.
//! - `or` groups fail only when every member fails; `condition` says where a check applies;
//!   `queue_ids` which queues; `active: false` (or `"false"`) switches it off.

mod cache;
mod clock;
mod config;
mod run;

pub use cache::CACHED_SETTINGS;
pub use clock::today_utc;

pub use config::{Check, MAX_CHECKS, MAX_GROUP_MEMBERS, Rule, RulesError, RulesSettings, Test};
pub use run::{MAX_CHECKS_TIME, RulesAnswer, RulesInput, Trigger, run_checks, run_checks_within};
