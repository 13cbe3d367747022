//! The bounds that keep any expression, on any document, fast and small. Reaching one is an
//! [`crate::ExpressionError`] whose [`exceeded_limit`](crate::ExpressionError::exceeded_limit)
//! is the bound's name below.

/// Bytes of an expression's text.
pub const TEXT_BYTES: usize = 8 * 1024;
pub const TEXT_BYTES_NAME: &str = "expression text length";

/// Depth of the expression tree (parentheses, calls, operators inside operators).
pub const DEPTH: usize = 64;
pub const DEPTH_NAME: &str = "nesting depth";

/// Bytes of one string literal.
pub const STRING_LITERAL_BYTES: usize = 4 * 1024;
pub const STRING_LITERAL_BYTES_NAME: &str = "string literal length";

/// Elements of one list literal.
pub const LIST_LITERAL_ITEMS: usize = 256;
pub const LIST_LITERAL_ITEMS_NAME: &str = "list literal size";

/// Significant digits of a number (what a 96-bit decimal holds).
pub const NUMBER_DIGITS: usize = 28;
pub const NUMBER_DIGITS_NAME: &str = "number size";

/// Evaluation steps of one `evaluate` call: one per node evaluated, one per row or list
/// element an aggregate or filter walks.
pub const STEPS: u64 = 1_000_000;
pub const STEPS_NAME: &str = "evaluation step budget";

/// Bytes of a compiled regular expression (the `regex` crate's size limit).
pub const REGEX_BYTES: usize = 256 * 1024;
pub const REGEX_BYTES_NAME: &str = "regexp compiled size";

/// Bytes of a text the evaluation builds (`+` of texts, `str()` of a list).
pub const RESULT_TEXT_BYTES: usize = 64 * 1024;
pub const RESULT_TEXT_BYTES_NAME: &str = "result text length";

/// Characters of the first text times characters of the second for `similarity`.
pub const SIMILARITY_CELLS: usize = 1_000_000;
pub const SIMILARITY_CELLS_NAME: &str = "similarity text size";

/// Absolute size of a `timedelta` part, in days (about 10 000 years; months and years are
/// converted at 31 and 366 days for the check).
pub const TIMEDELTA_DAYS: i64 = 3_660_000;
pub const TIMEDELTA_DAYS_NAME: &str = "timedelta size";
