//! Arbitrary (route, headers, body) through every function's real endpoint: no panic, no 5xx.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use webhook_fuzz::{Case, Harness};

static HARNESS: LazyLock<Harness> = LazyLock::new(Harness::new);

fuzz_target!(|data: &[u8]| {
    HARNESS.check(&Case::decode(data));
});
