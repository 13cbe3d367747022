//! Rossum's Expression Engine, the rule language of Business Rules Validation (BRV): parse a
//! rule once, evaluate it against any [`Scope`] (a document's header fields and line items),
//! in bounded time and memory. No I/O, no knowledge of the annotation tree.
//!
//! ```
//! use expression_engine::{Date, Evaluated, Expression, Lookup, Scope, Value};
//!
//! struct Invoice;
//! impl Scope for Invoice {
//!     fn lookup(&self, schema_id: &str, in_aggregate: bool) -> Lookup<'_> {
//!         match (schema_id, in_aggregate) {
//!             ("amount_total", _) => Lookup::One("30.30"),
//!             ("item_amount_total", true) => Lookup::Many(vec!["10.10", "", "20.20"].into()),
//!             _ => Lookup::Missing,
//!         }
//!     }
//!     fn today(&self) -> Date {
//!         Date::from_ymd(2024, 3, 15).unwrap()
//!     }
//! }
//!
//! let rule = Expression::parse("sum({item_amount_total}) == {amount_total}").unwrap();
//! assert_eq!(rule.evaluate(&Invoice).unwrap(), Evaluated::Value(Value::Bool(true)));
//! ```
//!
//! # The language
//!
//! As Rossum documents it (rossum.university "Expression Engine", developers.rossum.ai
//! "Expression Engine"):
//! - Fields: `{schema_id}`, `{schema_id, default=X}` (X a literal or `value('other_field')`;
//!   `{a, default={b}}` is refused as the documentation says), `value({a}, default={b})`,
//!   `value('a')`.
//! - Literals: `"text"` and `'text'` (Python's escapes `\"`, `\\`, `\n`, `\t`; any other
//!   backslash is kept, so `"\d"` is `\d`), numbers (`12`, `1.50`, `.5`, `1e3`), `None`,
//!   `True`, `False`, lists `[0, None]`, keyword arguments `days=2`.
//! - Operators with Python's precedence, loosest first: `or`, `xor`, `and`, `not`,
//!   comparisons `== != < > <= >=` (chained as in Python: `1 < {x} <= 5`), `+ -`,
//!   `* / // %`, unary `-`; parentheses.
//! - The automatic cast: a text (a field's value or a string literal) used by an operator or
//!   an aggregate reads as a number if it can (float, then int), else as a `YYYY-MM-DD` date,
//!   else it stays text. `int() float() date() str()` cast by hand.
//! - Functions: `has_value`, `is_empty`, `all`, `any`, `sum`, `min`, `max`, `len`,
//!   `unique_len`, `first_value`, `filter`, `list_contains`, `today`, `timedelta`, `substring`,
//!   `regexp` (`ignore_case=True`), `similarity`, `value`.
//! - An empty operand (a field whose value is `""`, without `default=`) makes the evaluation
//!   [`Evaluated::Skipped`], wherever it stands (even behind an `and` that never reaches it),
//!   except inside `has_value`/`is_empty` and inside an aggregate, which ignores empty cells:
//!   column `[1, 2, "", 2]` gives `sum` 5, `sum({c, default=0})` 5, `unique_len` 2, `len` 3,
//!   `len(filter({c}, ""))` 3, `len({c, default=0})` 4; column `["", "", ""]` gives `None` for
//!   `sum`, `unique_len`, `len`, and 3 for `len({c, default=0})`; a table without rows gives
//!   `None` for everything, `default=` included.
//!
//! # Decisions where the documentation is silent
//!
//! 1. Numbers are [`Decimal`]s (`rust_decimal`: 96 bits, 28 significant digits, exact decimal
//!    fractions), not binary floats, so `0.1 + 0.2 == 0.3` and money compares exactly; there is
//!    no tolerance. `/` rounds at 28 digits (`1 / 3 * 3` is `0.9999999999999999999999999999`).
//!    A number beyond 28 digits, an overflow and a division (`/ // %`) by zero are errors.
//!    `//` and `%` follow Python's signs (`-7 // 2 == -4`, `-7 % 2 == 1`).
//! 2. The cast is lazy: a field's value stays text until an operator or aggregate uses it, so
//!    `str()`, `regexp()`, `substring()` and `similarity()` see the text as it was read
//!    (`"0012"`, not `12`). What `str()` returns is never cast again: `str(a) + str(b)` joins
//!    the texts, `str(10) < "9"` compares texts. A text the cast reads as a number never equals it as text:
//!    `{po} == "00123"` compares the numbers 123 and 123. The number forms are Python's
//!    `float()` ones for finite values: whitespace around, a sign, `5.`, `.5`, an exponent;
//!    not `1,000.00`, `21%`, `1_000`, `inf`, `nan` (those stay text). Dates are exactly
//!    `YYYY-MM-DD` with years 0001-9999; `date()` also takes a date-time's date part
//!    (`2024-03-15T10:00:00`).
//! 3. `None` (an aggregate of no values, the literal): `==`/`!=` follow Python (`None == None`
//!    is true, `None == 5` false, so `sum({c}) == {total}` on a table without rows is false);
//!    an ordering (`<`, `>=`…), arithmetic, `-`, `int()`, `float()` or `date()` with `None`
//!    has no answer, and the evaluation is `Skipped` like an empty operand.
//! 4. Values of different types are unequal (`==` false, `!=` true); ordering them (a date
//!    with a number, a text with a number) is an error. `True`/`False` count as 1/0 with
//!    numbers, as in Python. Texts order by code point.
//! 5. `+` joins two texts (bounded); other operators on texts are errors. `date - date` is the
//!    number of days between them; `date ± timedelta(...)` a date; `timedelta` alone is not a
//!    result. `timedelta(years=, months=, weeks=, days=)` takes whole numbers; years and months
//!    move the calendar month first, the day clamped to that month's end
//!    (`2024-01-31 + timedelta(months=1)` is 2024-02-29), then days are added. A date outside
//!    0001-01-01..9999-12-31 is an error.
//! 6. `and`, `or`, `not` and `xor` give `True`/`False` (not Python's operand); `xor` binds
//!    between `or` and `and`. `and`/`or` short-circuit (`{b} != 0 and {a} / {b} > 1` never
//!    divides by zero).
//! 7. Aggregates (`sum min max len unique_len first_value all any filter list_contains`)
//!    take a column as their first argument: a bare `{column}` (its empty cells left out, or
//!    replaced by `default=`), a list literal (its empty fields left out), `filter(...)`, or an
//!    expression of columns, which is evaluated row by row (`all({item_amount} > 0)`,
//!    `sum({item_price} * {item_quantity})`), a row with an empty operand left out. A header
//!    field there is a column of one value (so `len({header})` is 1). Every aggregate of no
//!    values is `None`: `all`, `any`, `list_contains`, `min`, `max`, `first_value` too.
//!    `min`/`max` also take several arguments. Values are compared after the cast
//!    (`unique_len` of `["1", "1.0"]` is 1).
//! 8. `filter(col)` without a second argument removes `""` and `None`. `list_contains(col,
//!    [a, b])` is true when any of them is in the column.
//! 9. `regexp(pattern, value)` is true when the pattern has a non-empty match in the value
//!    (the documentation's words; a pattern that can only match the empty string is false).
//!    Patterns are the `regex` crate's syntax (linear time): Python's look-around and
//!    back-references are refused with an error. Text is read as Python's `re` reads a
//!    `str`: `\w`, `\d`, `\s`, `\b` and `ignore_case` are Unicode-aware; Unicode property
//!    classes (`\p{Lu}`), which `re` lacks too, are refused.
//! 10. `similarity(a, b)` is the Levenshtein distance in characters (Unicode scalar values),
//!     a whole number; there is no threshold of its own (the rule compares it).
//! 11. A datapoint that is [`Lookup::Missing`] counts as empty: `has_value` false, `is_empty`
//!     true, an operand skips the evaluation, an aggregate of it is `None`.
//! 12. `has_value(x)` of something other than a field is true when `x` is not `None`, `""` or
//!     `[]`; a header field's `has_value` on a column given as [`Lookup::Many`] outside an
//!     aggregate is true when any cell is filled.
//! 13. A result's truth ([`Value::truthy`]) is Python's: `None`, `False`, 0, `""`, `[]` false.
//! 14. Not supported: `in`, `is`, `**`, attribute access, names other than the functions,
//!     `None`, `True`, `False`; each is a parse error naming it.
//!
//! # Bounds
//!
//! See [`limits`]: expression text 8 KiB, nesting depth 64, string literal 4 KiB, list
//! literal 256 items, numbers 28 digits, 1 000 000 evaluation steps per evaluation, regexp
//! compiled size 256 KiB, built texts 64 KiB, `similarity` 1 000 000 character pairs,
//! `timedelta` about 10 000 years. Each is an [`ExpressionError`] naming the bound.

mod error;
mod eval;
pub mod limits;
mod parse;
mod value;

use std::borrow::Cow;

pub use error::ExpressionError;
pub use rust_decimal::Decimal;
pub use value::{Date, Value};

/// A parsed rule: `Clone + Debug + Send + Sync`, evaluated any number of times.
#[derive(Clone, Debug)]
pub struct Expression {
    text: String,
    root: parse::Node,
    placeholders: Vec<Placeholder>,
    /// Placeholders whose emptiness skips the whole evaluation.
    plain: Vec<usize>,
}

/// One `{schema_id}` occurrence (or `value('schema_id')`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholder {
    pub schema_id: String,
    /// Inside an aggregate's argument (sum/min/max/len/unique_len/first_value/all/any/
    /// list_contains/filter), where a column is asked for as every row's cell.
    pub in_aggregate: bool,
    /// Written with `default=` (or as the first argument of `value(..., default=...)`).
    pub has_default: bool,
}

/// The document an expression is evaluated against.
pub trait Scope {
    /// The value(s) of `{schema_id}` for this occurrence: a header field or the current row's
    /// cell is `One`; a column inside an aggregate is `Many` (every row's cell, in order);
    /// `Missing` when the annotation has no such datapoint.
    fn lookup(&self, schema_id: &str, in_aggregate: bool) -> Lookup<'_>;
    /// `today()`, so tests can fix it.
    fn today(&self) -> Date;
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    One(&'a str),
    /// Every row's cell; borrowed when the scope holds its columns' texts already.
    Many(Cow<'a, [&'a str]>),
    Missing,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Evaluated {
    Value(Value),
    /// An empty operand: the rule does not apply.
    Skipped,
}

impl Expression {
    pub fn parse(text: &str) -> Result<Expression, ExpressionError> {
        let parsed = parse::parse(text)?;
        Ok(Expression {
            text: text.to_string(),
            root: parsed.root,
            placeholders: parsed.placeholders,
            plain: parsed.plain,
        })
    }

    /// Every `{schema_id}` occurrence in order, whether it is inside an aggregate's argument
    /// (sum/min/max/len/unique_len/first_value/all/any/list_contains/filter), and whether it
    /// has `default=`.
    pub fn placeholders(&self) -> &[Placeholder] {
        &self.placeholders
    }

    pub fn evaluate(&self, scope: &dyn Scope) -> Result<Evaluated, ExpressionError> {
        eval::evaluate(self, scope)
    }

    /// [`Expression::evaluate`] with the values already looked up: `lookups[i]` is what
    /// [`Scope::lookup`] would answer for `placeholders()[i]`. For a caller evaluating one
    /// rule over many rows, which resolves each placeholder once and fills a reused buffer
    /// per row. A count other than the placeholders' is an error.
    pub fn evaluate_with<'a>(
        &'a self,
        lookups: &[Lookup<'a>],
        today: Date,
    ) -> Result<Evaluated, ExpressionError> {
        eval::evaluate_with(self, lookups, today)
    }

    /// The text the expression was parsed from.
    pub fn text(&self) -> &str {
        &self.text
    }
}
