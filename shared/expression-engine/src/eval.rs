//! Evaluation of a parsed expression against a [`Scope`].

use foldhash::HashSet;
use std::borrow::Cow;

use rust_decimal::Decimal;

use crate::error::ExpressionError;
use crate::limits;
use crate::parse::{Arith, Call, Compare, Func, Kind, Logic, Node, compile_regex};
use crate::value::{Cast, Date, Value, auto_cast};
use crate::{Evaluated, Expression, Lookup, Scope};

/// A value during evaluation: texts borrow from the expression or the scope, and a
/// `timedelta` exists only on its way to a date.
#[derive(Clone, Debug)]
enum V<'a> {
    None,
    Bool(bool),
    Num(Decimal),
    Date(Date),
    Text(Cow<'a, str>),
    /// The text of `str()`: never cast again, so `str(a) + str(b)` joins texts.
    Str(Cow<'a, str>),
    List(Vec<V<'a>>),
    Delta(Delta),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Delta {
    months: i64,
    days: i64,
}

enum Stop {
    /// An empty operand: the rule does not apply (to this row, inside an aggregate).
    Skip,
    /// Boxed: every step returns this `Result`, so it is kept small.
    Fail(Box<ExpressionError>),
}

impl From<ExpressionError> for Stop {
    fn from(e: ExpressionError) -> Self {
        Stop::Fail(Box::new(e))
    }
}

type R<T> = Result<T, Stop>;

fn fail<T>(message: impl Into<String>, at: usize) -> R<T> {
    Err(Stop::from(ExpressionError::new(message, Some(at))))
}

pub(crate) fn evaluate(
    expression: &Expression,
    scope: &dyn Scope,
) -> Result<Evaluated, ExpressionError> {
    let lookups: Vec<Lookup<'_>> = expression
        .placeholders
        .iter()
        .map(|p| scope.lookup(&p.schema_id, p.in_aggregate))
        .collect();
    evaluate_with(expression, &lookups, scope.today())
}

pub(crate) fn evaluate_with<'a>(
    expression: &'a Expression,
    lookups: &[Lookup<'a>],
    today: Date,
) -> Result<Evaluated, ExpressionError> {
    if lookups.len() != expression.placeholders.len() {
        return Err(ExpressionError::new(
            format!(
                "{} values given for {} placeholders",
                lookups.len(),
                expression.placeholders.len()
            ),
            None,
        ));
    }
    // Decided before evaluating, so that `and`/`or` short-circuits do not hide an empty field.
    for &index in &expression.plain {
        if matches!(lookups[index], Lookup::One("") | Lookup::Missing) {
            return Ok(Evaluated::Skipped);
        }
    }
    let mut eval = Eval {
        today,
        lookups,
        row: None,
        steps: 0,
    };
    match eval.eval(&expression.root) {
        Ok(v) => Ok(Evaluated::Value(to_value(v, expression.root.at)?)),
        Err(Stop::Skip) => Ok(Evaluated::Skipped),
        Err(Stop::Fail(e)) => Err(*e),
    }
}

fn to_value(v: V<'_>, at: usize) -> Result<Value, ExpressionError> {
    Ok(match v {
        V::None => Value::None,
        V::Bool(b) => Value::Bool(b),
        V::Num(n) => Value::Number(n),
        V::Date(d) => Value::Date(d),
        V::Text(t) | V::Str(t) => Value::Text(t.into_owned()),
        V::List(items) => Value::List(
            items
                .into_iter()
                .map(|i| to_value(i, at))
                .collect::<Result<_, _>>()?,
        ),
        V::Delta(_) => {
            return Err(ExpressionError::new(
                "a timedelta is not a value on its own: add it to a date",
                Some(at),
            ));
        }
    })
}

fn type_name(v: &V<'_>) -> &'static str {
    match v {
        V::None => "None",
        V::Bool(_) => "a boolean",
        V::Num(_) => "a number",
        V::Date(_) => "a date",
        V::Text(_) | V::Str(_) => "a text",
        V::List(_) => "a list",
        V::Delta(_) => "a timedelta",
    }
}

fn truthy(v: &V<'_>) -> bool {
    match v {
        V::None => false,
        V::Bool(b) => *b,
        V::Num(n) => !n.is_zero(),
        V::Date(_) | V::Delta(_) => true,
        V::Text(t) | V::Str(t) => !t.is_empty(),
        V::List(items) => !items.is_empty(),
    }
}

fn not_empty(v: &V<'_>) -> bool {
    !matches!(v, V::None)
        && !matches!(v, V::Text(t) | V::Str(t) if t.is_empty())
        && !matches!(v, V::List(l) if l.is_empty())
}

/// The automatic cast of a text; other values are what they are.
fn cast<'a>(v: V<'a>, at: usize) -> R<V<'a>> {
    let V::Text(text) = &v else { return Ok(v) };
    Ok(match auto_cast(text) {
        Cast::Number(n) => V::Num(n),
        Cast::Date(d) => V::Date(d),
        Cast::NumberOutOfRange => {
            return Err(Stop::from(ExpressionError::limit(
                limits::NUMBER_DIGITS_NAME,
                format!("{} significant digits", limits::NUMBER_DIGITS),
                Some(at),
            )));
        }
        Cast::Text => v,
    })
}

/// Python's `==` after the automatic cast: values of different types are unequal, `True == 1`.
fn equal(a: &V<'_>, b: &V<'_>) -> bool {
    if let Some((x, y)) = raw_texts(a, b) {
        return x == y;
    }
    let a = cast(a.clone(), 0).unwrap_or_else(|_| a.clone());
    let b = cast(b.clone(), 0).unwrap_or_else(|_| b.clone());
    match (&a, &b) {
        (V::None, V::None) => true,
        (V::Num(x), V::Num(y)) => x == y,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Bool(x), V::Num(y)) | (V::Num(y), V::Bool(x)) => Decimal::from(u8::from(*x)) == *y,
        (V::Date(x), V::Date(y)) => x == y,
        (V::Text(x), V::Text(y)) => x == y,
        (V::Delta(x), V::Delta(y)) => x == y,
        (V::List(x), V::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q)),
        _ => false,
    }
}

/// What `unique_len` counts as one value.
#[derive(PartialEq, Eq, Hash)]
enum Key<'a> {
    None,
    Num(Decimal),
    Date(Date),
    Text(Cow<'a, str>),
    Other(String),
}

fn key<'a>(v: &V<'a>) -> Key<'a> {
    match cast(v.clone(), 0).unwrap_or_else(|_| v.clone()) {
        V::None => Key::None,
        V::Num(n) => Key::Num(n.normalize()),
        V::Bool(b) => Key::Num(Decimal::from(u8::from(b))),
        V::Date(d) => Key::Date(d),
        V::Text(t) | V::Str(t) => Key::Text(t),
        other => Key::Other(format!("{other:?}")),
    }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

struct Eval<'a, 'l> {
    today: Date,
    lookups: &'l [Lookup<'a>],
    /// The row an aggregate is evaluating its argument for.
    row: Option<usize>,
    steps: u64,
}

impl<'a> Eval<'a, '_> {
    fn step(&mut self, count: u64, at: usize) -> R<()> {
        self.steps += count;
        if self.steps > limits::STEPS {
            return Err(Stop::from(ExpressionError::limit(
                limits::STEPS_NAME,
                format!("{} steps", limits::STEPS),
                Some(at),
            )));
        }
        Ok(())
    }

    /// The placeholder's text for this evaluation (the bound row's cell for a column); `None`
    /// when the datapoint is missing.
    fn cell(&self, index: usize, at: usize) -> R<Option<&'a str>> {
        match &self.lookups[index] {
            Lookup::One(text) => Ok(Some(text)),
            Lookup::Missing => Ok(None),
            Lookup::Many(cells) => match self.row {
                Some(row) => Ok(cells.get(row).copied()),
                None => fail(
                    "a table column outside an aggregate: the rule is evaluated once per row by its caller",
                    at,
                ),
            },
        }
    }

    fn eval(&mut self, node: &'a Node) -> R<V<'a>> {
        self.step(1, node.at)?;
        let at = node.at;
        match &node.kind {
            Kind::None => Ok(V::None),
            Kind::Bool(b) => Ok(V::Bool(*b)),
            Kind::Number(n) => Ok(V::Num(*n)),
            Kind::Text(t) => Ok(V::Text(Cow::Borrowed(t))),
            Kind::List(items) => Ok(V::List(
                items.iter().map(|i| self.eval(i)).collect::<R<_>>()?,
            )),
            Kind::Placeholder { index, default } => match self.cell(*index, at)? {
                Some(text) if !text.is_empty() => Ok(V::Text(Cow::Borrowed(text))),
                _ => match default {
                    Some(default) => self.eval(default),
                    None => Err(Stop::Skip),
                },
            },
            Kind::Negate(operand) => match cast(self.eval(operand)?, at)? {
                V::Num(n) => Ok(V::Num(-n)),
                V::Bool(b) => Ok(V::Num(-Decimal::from(u8::from(b)))),
                V::Delta(d) => Ok(V::Delta(Delta {
                    months: -d.months,
                    days: -d.days,
                })),
                V::None => Err(Stop::Skip),
                other => fail(format!("cannot negate {}", type_name(&other)), at),
            },
            Kind::Not(operand) => Ok(V::Bool(!truthy(&self.eval(operand)?))),
            Kind::Logic(op, left, right) => {
                let left = truthy(&self.eval(left)?);
                Ok(V::Bool(match op {
                    Logic::And => left && truthy(&self.eval(right)?),
                    Logic::Or => left || truthy(&self.eval(right)?),
                    Logic::Xor => left != truthy(&self.eval(right)?),
                }))
            }
            Kind::Arith(op, left, right) => {
                let left = self.eval(left)?;
                let right = self.eval(right)?;
                self.arith(*op, left, right, at)
            }
            Kind::Compare(first, rest) => {
                let mut left = self.eval(first)?;
                for (op, node) in rest {
                    let right = self.eval(node)?;
                    if !compare(*op, &left, &right, node.at)? {
                        return Ok(V::Bool(false));
                    }
                    left = right;
                }
                Ok(V::Bool(true))
            }
            Kind::Call(call) => self.call(call, at),
        }
    }

    fn arith(&mut self, op: Arith, left: V<'a>, right: V<'a>, at: usize) -> R<V<'a>> {
        let as_number = |v: V<'a>| match v {
            V::Bool(b) => V::Num(Decimal::from(u8::from(b))),
            other => other,
        };
        // A str() text and another text join as they are; with a number, they do not add.
        let manual = matches!(left, V::Str(_)) || matches!(right, V::Str(_));
        let left = if manual {
            left
        } else {
            as_number(cast(left, at)?)
        };
        let right = if manual {
            right
        } else {
            as_number(cast(right, at)?)
        };
        let overflow = || {
            Stop::from(ExpressionError::new(
                "arithmetic overflow (beyond 28 digits)",
                Some(at),
            ))
        };
        match (left, right) {
            (V::None, _) | (_, V::None) => Err(Stop::Skip),
            (V::Num(x), V::Num(y)) => {
                if y.is_zero() && matches!(op, Arith::Div | Arith::FloorDiv | Arith::Mod) {
                    return fail("division by zero", at);
                }
                let result = match op {
                    Arith::Add => x.checked_add(y),
                    Arith::Sub => x.checked_sub(y),
                    Arith::Mul => x.checked_mul(y),
                    Arith::Div => x.checked_div(y),
                    Arith::FloorDiv => x.checked_div(y).map(|q| q.floor()),
                    // Python's sign rule: the remainder has the divisor's sign.
                    Arith::Mod => x.checked_rem(y).and_then(|r| {
                        if !r.is_zero() && r.is_sign_negative() != y.is_sign_negative() {
                            r.checked_add(y)
                        } else {
                            Some(r)
                        }
                    }),
                };
                result.map(V::Num).ok_or_else(overflow)
            }
            (V::Date(d), V::Delta(t)) if matches!(op, Arith::Add | Arith::Sub) => {
                let sign = if op == Arith::Add { 1 } else { -1 };
                shift(d, sign * t.months, sign * t.days, at)
            }
            (V::Delta(t), V::Date(d)) if op == Arith::Add => shift(d, t.months, t.days, at),
            (V::Date(x), V::Date(y)) if op == Arith::Sub => {
                Ok(V::Num(Decimal::from(x.days_since(y))))
            }
            (V::Delta(x), V::Delta(y)) if matches!(op, Arith::Add | Arith::Sub) => {
                let sign = if op == Arith::Add { 1 } else { -1 };
                Ok(V::Delta(Delta {
                    months: x.months + sign * y.months,
                    days: x.days + sign * y.days,
                }))
            }
            (V::Text(x) | V::Str(x), V::Text(y) | V::Str(y)) if op == Arith::Add => {
                if x.len() + y.len() > limits::RESULT_TEXT_BYTES {
                    return Err(Stop::from(ExpressionError::limit(
                        limits::RESULT_TEXT_BYTES_NAME,
                        format!("{} bytes", limits::RESULT_TEXT_BYTES),
                        Some(at),
                    )));
                }
                Ok(V::Text(Cow::Owned(format!("{x}{y}"))))
            }
            (x, y) => {
                let symbol = match op {
                    Arith::Add => "+",
                    Arith::Sub => "-",
                    Arith::Mul => "*",
                    Arith::Div => "/",
                    Arith::FloorDiv => "//",
                    Arith::Mod => "%",
                };
                fail(
                    format!(
                        "cannot apply '{symbol}' to {} and {}",
                        type_name(&x),
                        type_name(&y)
                    ),
                    at,
                )
            }
        }
    }

    /// The column an aggregate reads from its first argument, empty cells left out.
    fn column(&mut self, node: &'a Node, call: &'a Call) -> R<Vec<V<'a>>> {
        match &node.kind {
            Kind::Placeholder { index, default } => {
                self.placeholder_column(*index, default.as_deref(), node.at)
            }
            Kind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    match &item.kind {
                        Kind::Placeholder { index, default } => {
                            values.extend(self.placeholder_column(
                                *index,
                                default.as_deref(),
                                item.at,
                            )?);
                        }
                        _ => match self.eval(item) {
                            Ok(v) => values.push(v),
                            Err(Stop::Skip) => {}
                            Err(e) => return Err(e),
                        },
                    }
                }
                Ok(values)
            }
            _ => self.rows(node, call),
        }
    }

    fn placeholder_column(
        &mut self,
        index: usize,
        default: Option<&'a Node>,
        at: usize,
    ) -> R<Vec<V<'a>>> {
        let lookups = self.lookups;
        let cells: &[&'a str] = match &lookups[index] {
            Lookup::One(text) => std::slice::from_ref(text),
            Lookup::Many(cells) => cells,
            Lookup::Missing => return Ok(Vec::new()),
        };
        self.step(cells.len() as u64, at)?;
        let mut default_value = None;
        let mut values = Vec::with_capacity(cells.len());
        for &cell in cells {
            if !cell.is_empty() {
                values.push(V::Text(Cow::Borrowed(cell)));
            } else if let Some(default) = default {
                if default_value.is_none() {
                    default_value = Some(self.eval(default)?);
                }
                values.extend(default_value.clone());
            }
        }
        Ok(values)
    }

    /// An aggregate's argument that is an expression of columns, evaluated row by row; a row
    /// with an empty operand is left out.
    fn rows(&mut self, node: &'a Node, call: &'a Call) -> R<Vec<V<'a>>> {
        let mut row_count: Option<usize> = None;
        for &index in &call.row_placeholders {
            if let Lookup::Many(cells) = &self.lookups[index] {
                match row_count {
                    Some(count) if count != cells.len() => {
                        return fail(
                            format!(
                                "columns of different lengths ({count} and {}): a rule may use one table",
                                cells.len()
                            ),
                            node.at,
                        );
                    }
                    _ => row_count = Some(cells.len()),
                }
            }
        }
        let Some(row_count) = row_count else {
            return match self.eval(node) {
                Ok(V::List(items)) => Ok(items),
                Ok(v) => Ok(vec![v]),
                Err(Stop::Skip) => Ok(Vec::new()),
                Err(e) => Err(e),
            };
        };
        let outer_row = self.row;
        let mut values = Vec::with_capacity(row_count);
        for row in 0..row_count {
            self.row = Some(row);
            let empty_operand = call
                .row_plain
                .iter()
                .any(|&index| match &self.lookups[index] {
                    Lookup::One(text) => text.is_empty(),
                    Lookup::Many(cells) => cells[row].is_empty(),
                    Lookup::Missing => true,
                });
            if empty_operand {
                continue;
            }
            match self.eval(node) {
                Ok(v) => values.push(v),
                Err(Stop::Skip) => {}
                Err(e) => {
                    self.row = outer_row;
                    return Err(e);
                }
            }
        }
        self.row = outer_row;
        Ok(values)
    }

    fn has_value(&mut self, node: &'a Node) -> R<bool> {
        if let Kind::Placeholder { index, default } = &node.kind {
            let filled = match (&self.lookups[*index], self.row) {
                (Lookup::Many(cells), None) => cells.iter().any(|c| !c.is_empty()),
                _ => self.cell(*index, node.at)?.is_some_and(|t| !t.is_empty()),
            };
            if filled {
                return Ok(true);
            }
            return match default {
                Some(default) => self.has_value(default),
                None => Ok(false),
            };
        }
        match self.eval(node) {
            Ok(v) => Ok(not_empty(&v)),
            Err(Stop::Skip) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn text(&mut self, node: &'a Node) -> R<Cow<'a, str>> {
        let value = self.eval(node)?;
        text_of(value, node.at)
    }

    fn integer(&mut self, node: &'a Node, what: &str) -> R<i64> {
        match cast(self.eval(node)?, node.at)? {
            V::Num(n) if n.fract().is_zero() => i64::try_from(n).map_err(|_| {
                Stop::from(ExpressionError::limit(
                    limits::TIMEDELTA_DAYS_NAME,
                    format!("{} days", limits::TIMEDELTA_DAYS),
                    Some(node.at),
                ))
            }),
            V::None => Err(Stop::Skip),
            other => fail(
                format!("{what} must be a whole number, not {}", type_name(&other)),
                node.at,
            ),
        }
    }

    fn call(&mut self, call: &'a Call, at: usize) -> R<V<'a>> {
        let args = &call.args;
        match call.func {
            Func::HasValue => Ok(V::Bool(self.has_value(&args[0])?)),
            Func::IsEmpty => Ok(V::Bool(!self.has_value(&args[0])?)),
            Func::All | Func::Any => {
                let items = self.column(&args[0], call)?;
                if items.is_empty() {
                    return Ok(V::None);
                }
                Ok(V::Bool(if call.func == Func::All {
                    items.iter().all(truthy)
                } else {
                    items.iter().any(truthy)
                }))
            }
            Func::Sum => {
                let items = self.column(&args[0], call)?;
                if items.is_empty() {
                    return Ok(V::None);
                }
                let mut total = Decimal::ZERO;
                for item in items {
                    match cast(item, at)? {
                        V::Num(n) => {
                            total = total.checked_add(n).ok_or_else(|| {
                                Stop::from(ExpressionError::new(
                                    "arithmetic overflow (beyond 28 digits)",
                                    Some(at),
                                ))
                            })?;
                        }
                        V::Bool(b) => total += Decimal::from(u8::from(b)),
                        other => {
                            return fail(
                                format!("sum() of {}: only numbers add up", type_name(&other)),
                                at,
                            );
                        }
                    }
                }
                Ok(V::Num(total))
            }
            Func::Min | Func::Max => {
                let mut items = Vec::new();
                for arg in args {
                    for item in self.column(arg, call)? {
                        items.push(cast(item, at)?);
                    }
                }
                let mut best: Option<V<'a>> = None;
                for item in items {
                    best = Some(match best {
                        None => item,
                        Some(current) => {
                            let ordering = if call.func == Func::Min {
                                Compare::Lt
                            } else {
                                Compare::Gt
                            };
                            if compare(ordering, &item, &current, at)? {
                                item
                            } else {
                                current
                            }
                        }
                    });
                }
                Ok(best.unwrap_or(V::None))
            }
            Func::Len => {
                let items = self.column(&args[0], call)?;
                Ok(if items.is_empty() {
                    V::None
                } else {
                    V::Num(Decimal::from(items.len()))
                })
            }
            Func::UniqueLen => {
                let items = self.column(&args[0], call)?;
                if items.is_empty() {
                    return Ok(V::None);
                }
                let distinct: HashSet<Key<'_>> = items.iter().map(key).collect();
                Ok(V::Num(Decimal::from(distinct.len())))
            }
            Func::FirstValue => Ok(self
                .column(&args[0], call)?
                .into_iter()
                .next()
                .unwrap_or(V::None)),
            Func::Filter => {
                let mut items = self.column(&args[0], call)?;
                let remove = match args.get(1) {
                    Some(node) => match self.eval(node)? {
                        V::List(values) => values,
                        value => vec![value],
                    },
                    None => vec![V::Text(Cow::Borrowed("")), V::None],
                };
                self.step((items.len() * remove.len()) as u64, at)?;
                items.retain(|item| !remove.iter().any(|r| equal(item, r)));
                Ok(V::List(items))
            }
            Func::ListContains => {
                let items = self.column(&args[0], call)?;
                if items.is_empty() {
                    return Ok(V::None);
                }
                let searched = match self.eval(&args[1])? {
                    V::List(values) => values,
                    value => vec![value],
                };
                self.step((items.len() * searched.len()) as u64, at)?;
                Ok(V::Bool(
                    searched
                        .iter()
                        .any(|s| items.iter().any(|item| equal(item, s))),
                ))
            }
            Func::Today => Ok(V::Date(self.today)),
            Func::Timedelta => {
                let mut delta = Delta { months: 0, days: 0 };
                for (name, node) in &call.keywords {
                    let amount = self.integer(node, name)?;
                    let (months, days, days_each) = match name.as_str() {
                        "years" => (amount.saturating_mul(12), 0, 366),
                        "months" => (amount, 0, 31),
                        "weeks" => (0, amount.saturating_mul(7), 7),
                        _ => (0, amount, 1),
                    };
                    if amount.saturating_mul(days_each).abs() > limits::TIMEDELTA_DAYS {
                        return Err(Stop::from(ExpressionError::limit(
                            limits::TIMEDELTA_DAYS_NAME,
                            format!("{} days", limits::TIMEDELTA_DAYS),
                            Some(node.at),
                        )));
                    }
                    delta.months += months;
                    delta.days += days;
                }
                Ok(V::Delta(delta))
            }
            Func::Substring => {
                let needle = self.text(&args[0])?;
                let haystack = self.text(&args[1])?;
                self.step(1 + haystack.len() as u64 / 64, at)?;
                Ok(V::Bool(haystack.contains(needle.as_ref())))
            }
            Func::Regexp => {
                let haystack = self.text(&args[1])?;
                let compiled;
                let regex = match &call.regex {
                    Some(regex) => regex,
                    None => {
                        let pattern = self.text(&args[0])?;
                        let ignore_case = match call.keyword("ignore_case") {
                            Some(node) => truthy(&self.eval(node)?),
                            None => false,
                        };
                        self.step(1 + pattern.len() as u64, at)?;
                        compiled = compile_regex(&pattern, ignore_case, args[0].at)?;
                        &compiled
                    }
                };
                self.step(1 + haystack.len() as u64 / 64, at)?;
                // The documented test is a non-empty match, not merely a match.
                Ok(V::Bool(regex.find_iter(&haystack).any(|m| !m.is_empty())))
            }
            Func::Similarity => {
                let first = self.text(&args[0])?;
                let second = self.text(&args[1])?;
                let cells = first.chars().count().saturating_mul(second.chars().count());
                if cells > limits::SIMILARITY_CELLS {
                    return Err(Stop::from(ExpressionError::limit(
                        limits::SIMILARITY_CELLS_NAME,
                        format!("{} characters x characters", limits::SIMILARITY_CELLS),
                        Some(at),
                    )));
                }
                self.step(1 + cells as u64 / 64, at)?;
                Ok(V::Num(Decimal::from(levenshtein(&first, &second))))
            }
            Func::Value => {
                let Kind::Placeholder { index, default } = &args[0].kind else {
                    unreachable!("value() takes a field, checked by the parser")
                };
                match self.cell(*index, args[0].at)? {
                    Some(text) if !text.is_empty() => Ok(V::Text(Cow::Borrowed(text))),
                    _ => match default.as_deref().or(call.keyword("default")) {
                        Some(default) => self.eval(default),
                        None => Err(Stop::Skip),
                    },
                }
            }
            Func::Int | Func::Float => match cast(manual_to_text(self.eval(&args[0])?), at)? {
                V::Num(n) => Ok(V::Num(if call.func == Func::Int { n.trunc() } else { n })),
                V::Bool(b) => Ok(V::Num(Decimal::from(u8::from(b)))),
                V::None => Err(Stop::Skip),
                V::Text(t) => fail(format!("'{t}' is not a number"), args[0].at),
                other => fail(format!("{} is not a number", type_name(&other)), args[0].at),
            },
            Func::Date => match manual_to_text(self.eval(&args[0])?) {
                V::Date(d) => Ok(V::Date(d)),
                V::None => Err(Stop::Skip),
                V::Text(t) => {
                    let trimmed = t.trim();
                    // A date-time's date part: `2024-03-15T10:00:00`, `2024-03-15 10:00`.
                    let date_part = match trimmed.get(10..11) {
                        Some("T" | " ") => &trimmed[..10],
                        _ => trimmed,
                    };
                    match Date::parse_iso(date_part) {
                        Some(d) => Ok(V::Date(d)),
                        None => fail(
                            format!("'{t}' is not a date (YYYY-MM-DD, 0001 to 9999)"),
                            args[0].at,
                        ),
                    }
                }
                other => fail(format!("{} is not a date", type_name(&other)), args[0].at),
            },
            Func::Str => {
                let value = self.eval(&args[0])?;
                Ok(V::Str(text_of(value, args[0].at)?))
            }
        }
    }
}

/// Both texts as they are, when one of them is a `str()` text and the other a text too.
fn raw_texts<'v>(a: &'v V<'_>, b: &'v V<'_>) -> Option<(&'v str, &'v str)> {
    match (a, b) {
        (V::Str(x), V::Str(y) | V::Text(y)) | (V::Text(x), V::Str(y)) => Some((x, y)),
        _ => None,
    }
}

/// A `str()` text given to a manual cast is read again like any text.
fn manual_to_text(v: V<'_>) -> V<'_> {
    match v {
        V::Str(t) => V::Text(t),
        other => other,
    }
}

fn shift<'a>(date: Date, months: i64, days: i64, at: usize) -> R<V<'a>> {
    match date.shifted(months, days) {
        Some(d) => Ok(V::Date(d)),
        None => fail("the date falls outside 0001-01-01..9999-12-31", at),
    }
}

/// `str()` of a value: a text as it was read, a number as written (`1.50`), `True`, `None`.
fn text_of(value: V<'_>, at: usize) -> R<Cow<'_, str>> {
    let text = match value {
        V::Text(t) | V::Str(t) => return Ok(t),
        V::Delta(_) => return fail("a timedelta is not a text: add it to a date", at),
        other => to_value(other, at)?.to_string(),
    };
    if text.len() > limits::RESULT_TEXT_BYTES {
        return Err(Stop::from(ExpressionError::limit(
            limits::RESULT_TEXT_BYTES_NAME,
            format!("{} bytes", limits::RESULT_TEXT_BYTES),
            Some(at),
        )));
    }
    Ok(Cow::Owned(text))
}

/// Python's comparisons after the automatic cast; an order against `None` has no answer, so
/// the rule does not apply (as with an empty operand).
fn compare(op: Compare, left: &V<'_>, right: &V<'_>, at: usize) -> R<bool> {
    use std::cmp::Ordering;
    match op {
        Compare::Eq => return Ok(equal(left, right)),
        Compare::Ne => return Ok(!equal(left, right)),
        _ => {}
    }
    let as_number = |v: V<'_>| -> Option<Decimal> {
        match v {
            V::Num(n) => Some(n),
            V::Bool(b) => Some(Decimal::from(u8::from(b))),
            _ => None,
        }
    };
    if let Some((x, y)) = raw_texts(left, right) {
        let ordering = x.cmp(y);
        return Ok(match op {
            Compare::Lt => ordering.is_lt(),
            Compare::Gt => ordering.is_gt(),
            Compare::Le => ordering.is_le(),
            _ => ordering.is_ge(),
        });
    }
    let left = cast(left.clone(), at)?;
    let right = cast(right.clone(), at)?;
    let ordering: Ordering = match (&left, &right) {
        (V::None, _) | (_, V::None) => return Err(Stop::Skip),
        (V::Date(x), V::Date(y)) => x.cmp(y),
        (V::Text(x), V::Text(y)) => x.cmp(y),
        _ => match (as_number(left.clone()), as_number(right.clone())) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => {
                let symbol = match op {
                    Compare::Lt => "<",
                    Compare::Gt => ">",
                    Compare::Le => "<=",
                    _ => ">=",
                };
                return fail(
                    format!(
                        "cannot compare {} with {} using '{symbol}'",
                        type_name(&left),
                        type_name(&right)
                    ),
                    at,
                );
            }
        },
    };
    Ok(match op {
        Compare::Lt => ordering.is_lt(),
        Compare::Gt => ordering.is_gt(),
        Compare::Le => ordering.is_le(),
        _ => ordering.is_ge(),
    })
}
