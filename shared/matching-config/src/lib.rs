//! Rossum Master Data Hub (MDH) matching configurations, as a Rossum user pastes them into a
//! hook's settings (`{"configurations": [...]}`): read and checked before anything runs, with
//! the parts they are made of.
//!
//! - [`MatchingSettings`] and [`Configuration`]: MDH's keys (`name`, `queue_ids`,
//!   `action_condition`, `source.dataset` and `source.queries`, `mapping`,
//!   `additional_mappings`, `default`, `result_actions`) and our `max_options`; equality
//!   `find`s and our `fuzzy` query. `aggregate`, HTTP queries, `source.auth`, MongoDB
//!   operators other than `$eq`, `sort`/`skip`/`limit` are refused with an error naming their
//!   place in the settings; unknown keys are warnings naming theirs; `//` keys are comments.
//! - [`Template`]: text with `{schema_id}` placeholders (dataset names, query values).
//! - [`RecordPath`]: MDH's JMESPath-like record keys (`supplier.id`, `"primary-address".code
//!   || ''`, `content[0].value`), read from a record.
//! - [`Condition`]: `action_condition`, a Python-like boolean subset evaluated without text
//!   substitution.
//! - [`FindValue::resolve`] and [`record_matches`]: what a `find` compares for one
//!   annotation, and MongoDB's equality of a record's fields with it.
//!
//! Every size is bounded (configurations, queries, fields, mappings, text lengths, nesting),
//! so a hostile configuration costs little to refuse. No I/O here: datasets and the matching
//! itself are elsewhere.

mod condition;
mod config;
mod find;
mod path;
mod template;

pub use condition::{Condition, MAX_CONDITION_CHARS, MAX_CONDITION_DEPTH};
pub use config::{
    ActionMessage, ConfigError, Configuration, DEFAULT_FUZZY_THRESHOLD, DEFAULT_MAX_OPTIONS,
    DefaultValue, FindValue, Label, LabelPart, MAX_ADDITIONAL_MAPPINGS, MAX_CONFIGURATIONS,
    MAX_FIND_FIELDS, MAX_OPTIONS, MAX_QUERIES, Mapping, MatchingSettings, Query, ResultAction,
    ResultActions, Select,
};
pub use find::{equals, record_matches};
pub use path::{MAX_PATH_CHARS, ReadValue, RecordPath};
pub use template::{MAX_TEMPLATE_CHARS, Template, is_schema_id};
