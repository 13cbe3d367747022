//! The expression language against a document held in memory.

mod aggregates;
mod fuzz_corpus;
mod hostile;
mod language;
mod properties;

use std::collections::HashMap;

use expression_engine::{
    Date, Decimal, Evaluated, Expression, ExpressionError, Lookup, Scope, Value,
};

/// Header fields and line-item columns; `row` picks the cell a column gives outside aggregates.
#[derive(Default)]
pub struct Doc {
    pub fields: HashMap<&'static str, String>,
    pub columns: HashMap<&'static str, Vec<String>>,
    pub row: Option<usize>,
}

impl Doc {
    pub fn new() -> Doc {
        Doc::default()
    }

    pub fn field(mut self, id: &'static str, value: &str) -> Doc {
        self.fields.insert(id, value.to_string());
        self
    }

    pub fn column(mut self, id: &'static str, cells: &[&str]) -> Doc {
        self.columns
            .insert(id, cells.iter().map(|c| c.to_string()).collect());
        self
    }

    pub fn at_row(mut self, row: usize) -> Doc {
        self.row = Some(row);
        self
    }
}

impl Scope for Doc {
    fn lookup(&self, schema_id: &str, in_aggregate: bool) -> Lookup<'_> {
        if let Some(value) = self.fields.get(schema_id) {
            return Lookup::One(value);
        }
        match (self.columns.get(schema_id), in_aggregate, self.row) {
            (Some(cells), true, _) => Lookup::Many(cells.iter().map(String::as_str).collect()),
            (Some(cells), false, Some(row)) => Lookup::One(&cells[row]),
            (Some(cells), false, None) => Lookup::Many(cells.iter().map(String::as_str).collect()),
            (None, ..) => Lookup::Missing,
        }
    }

    fn today(&self) -> Date {
        Date::from_ymd(2024, 3, 15).unwrap()
    }
}

pub fn eval_in(text: &str, doc: &Doc) -> Result<Evaluated, ExpressionError> {
    Expression::parse(text)?.evaluate(doc)
}

/// The value, panicking on a skip or an error.
pub fn value_in(text: &str, doc: &Doc) -> Value {
    match eval_in(text, doc) {
        Ok(Evaluated::Value(v)) => v,
        other => panic!("{text}: {other:?}"),
    }
}

pub fn value(text: &str) -> Value {
    value_in(text, &Doc::new())
}

pub fn truth_in(text: &str, doc: &Doc) -> bool {
    match value_in(text, doc) {
        Value::Bool(b) => b,
        other => panic!("{text}: not a boolean: {other:?}"),
    }
}

pub fn truth(text: &str) -> bool {
    truth_in(text, &Doc::new())
}

pub fn number(text: &str) -> Value {
    Value::Number(text.parse::<Decimal>().unwrap())
}

pub fn error_in(text: &str, doc: &Doc) -> ExpressionError {
    match eval_in(text, doc) {
        Err(e) => e,
        other => panic!("{text}: expected an error, got {other:?}"),
    }
}

pub fn error(text: &str) -> ExpressionError {
    error_in(text, &Doc::new())
}

pub fn skipped_in(text: &str, doc: &Doc) -> bool {
    matches!(eval_in(text, doc), Ok(Evaluated::Skipped))
}
