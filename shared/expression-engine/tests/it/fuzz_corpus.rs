//! The seeds of the `expression` fuzz target (fuzz/), replayed through the same check on every
//! `cargo test`, and the outcomes the well-formed ones should have.

#[path = "../../../../fuzz/src/expression.rs"]
mod expression;

use std::path::Path;

use expression_engine::{Evaluated, Value};

fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/seeds/expression"
    ));
    let mut seeds: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("the fuzz seeds")
        .map(|entry| {
            let path = entry.expect("a seed").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("a readable seed"))
        })
        .collect();
    seeds.sort();
    seeds
}

#[test]
fn every_seed_is_answered_without_a_panic() {
    let seeds = seeds();
    assert!(seeds.len() >= 20, "{} seeds", seeds.len());
    for (name, data) in &seeds {
        let outcome = expression::check(data);
        // The true-by-construction seeds (all but the hostile ones at the end) hold.
        if name.as_str() < "17" {
            assert_eq!(
                outcome,
                Some(Evaluated::Value(Value::Bool(true))),
                "{name}: {}",
                String::from_utf8_lossy(data)
            );
        }
    }
}

#[test]
fn arbitrary_bytes_are_answered() {
    for data in [
        &b""[..],
        b"\xff\xfe",
        b"{\x00}",
        b"((((",
        b"'\\",
        b"{a, default={b, default=1}}",
    ] {
        expression::check(data);
    }
}
