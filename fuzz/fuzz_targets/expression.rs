//! Arbitrary text as a business rule, parsed and evaluated: no panic, no runaway.

#![no_main]

#[path = "../src/expression.rs"]
mod expression;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    expression::check(data);
});
