//! Arbitrary text as a business rule: parsing and evaluating it against a small invoice must
//! answer a value, a skip or an error with a message, never panic or run away.
//!
//! Shared by the `expression` fuzz target and by `shared/expression-engine/tests/it/
//! fuzz_corpus.rs` (which includes this file by path), so the seeds are replayed on every
//! `cargo test` without cargo-fuzz.

use std::time::{Duration, Instant};

use expression_engine::{Date, Evaluated, Expression, Lookup, Scope};

/// An invoice with header fields (one empty) and a three-row table (with empty cells).
pub struct Invoice;

impl Scope for Invoice {
    fn lookup(&self, schema_id: &str, in_aggregate: bool) -> Lookup<'_> {
        let column: &[&str] = match schema_id {
            "amount_total" => return Lookup::One("30.30"),
            "issue_date" => return Lookup::One("2024-01-31"),
            "vendor" => return Lookup::One("ACME s.r.o."),
            "empty" => return Lookup::One(""),
            "item_amount" => &["10.10", "", "20.20"],
            "item_date" => &["2024-01-01", "", "x"],
            "item_code" => &["A1", "A1", ""],
            _ => return Lookup::Missing,
        };
        if in_aggregate {
            Lookup::Many(column.into())
        } else {
            // The current row, as a per-row evaluation would give it.
            Lookup::One(column[0])
        }
    }

    fn today(&self) -> Date {
        Date::from_ymd(2024, 3, 15).expect("a valid date")
    }
}

/// Parses and evaluates `data` (as UTF-8, lossily): any outcome but a panic or a slow answer.
pub fn check(data: &[u8]) -> Option<Evaluated> {
    let text = String::from_utf8_lossy(data);
    let start = Instant::now();
    let outcome = match Expression::parse(&text) {
        Ok(rule) => {
            assert!(rule.placeholders().iter().all(|p| !p.schema_id.is_empty()));
            match rule.evaluate(&Invoice) {
                Ok(evaluated) => Some(evaluated),
                Err(e) => {
                    assert!(!e.message().is_empty());
                    None
                }
            }
        }
        Err(e) => {
            assert!(!e.message().is_empty());
            None
        }
    };
    // Generous for an unoptimised build; a release build answers in microseconds.
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{text:?} took {:?}",
        start.elapsed()
    );
    outcome
}
