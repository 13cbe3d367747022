//! The idempotency key of a Rossum delivery (`idempotency::rossum_key`) on annotations of 100
//! and 1 000 line items: an interactive `confirm`, which gets no key and must not cost a parse
//! of the whole body, and an `export`, whose key validates the body without its volatile keys.
//! Next to them, the floor of one `serde_json::from_slice::<Value>` of the same bytes.
//!
//! `cargo bench -p bench --bench delivery_keys`

use std::hint::black_box;
use std::time::Duration;

use bench::{UPDATED_PAYLOAD, annotation_body};
use criterion::{Criterion, Throughput};
use serde_json::Value;

fn with_action(line_items: usize, action: &str) -> Vec<u8> {
    let mut event: Value = serde_json::from_slice(&annotation_body(UPDATED_PAYLOAD, line_items))
        .expect("generated JSON");
    event["action"] = Value::from(action);
    serde_json::to_vec(&event).expect("a JSON value serialises")
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(10)
        .configure_from_args();
    for line_items in [100, 1000] {
        let confirm = with_action(line_items, "confirm");
        let export = with_action(line_items, "export");
        let mut group = criterion.benchmark_group(format!("rossum_key_{line_items}_items"));
        group.throughput(Throughput::Bytes(confirm.len() as u64));
        group.bench_function("confirm_interactive", |b| {
            b.iter(|| idempotency::rossum_key(black_box(&confirm)).expect("a valid body"))
        });
        group.bench_function("export_keyed", |b| {
            b.iter(|| idempotency::rossum_key(black_box(&export)).expect("a valid body"))
        });
        group.bench_function("floor_parse_value", |b| {
            b.iter(|| serde_json::from_slice::<Value>(black_box(&confirm)).expect("JSON"))
        });
        group.finish();
    }
    criterion.final_summary();
}
