//! Verification throughput over bodies of 1 KB to 5 MB: the Rossum and Inkit verifiers
//! (HMAC-SHA256) and Rossum's legacy HMAC-SHA1, through the public API with real headers,
//! next to the bare SHA-256 and SHA-1 digests of the same bytes (the floor any HMAC sits on).
//!
//! Then where the time of a 1 KB delivery goes: the whole verification, the HMAC alone, its
//! key set-up alone, an HMAC from an already keyed state, and the bare digest.
//!
//! `cargo bench -p webhook-verify`; criterion prints MB/s per body size.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use http::HeaderMap;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use webhook_verify::{
    INKIT_HEADER, InkitVerifier, ROSSUM_SHA1_HEADER, ROSSUM_SHA256_HEADER, RossumVerifier,
    SecretSet, hmac_sha1, hmac_sha256,
};

const SECRET: &str = "benchmark-secret";
const SIZES: [(&str, usize); 4] = [
    ("1KB", 1024),
    ("100KB", 100 * 1024),
    ("1MB", 1024 * 1024),
    ("5MB", 5 * 1024 * 1024),
];

/// JSON-like bytes; the content does not change hashing speed, only its length does.
fn body(len: usize) -> Vec<u8> {
    br#"{"id":6601015,"schema_id":"item_vat_rate","value":"ZERO RATED"},"#
        .iter()
        .copied()
        .cycle()
        .take(len)
        .collect()
}

fn headers(name: &'static str, value: String) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(name, value.parse().expect("hex is a valid header value"));
    headers
}

fn verification(c: &mut Criterion) {
    let secrets = || SecretSet::from_values(Some(SECRET), None);
    let rossum = RossumVerifier::new(secrets());
    let inkit = InkitVerifier::new(secrets());
    for (label, len) in SIZES {
        let body = body(len);
        let sha256_hex = hex::encode(hmac_sha256(SECRET.as_bytes(), &body));
        let rossum_headers = headers(ROSSUM_SHA256_HEADER, format!("sha256={sha256_hex}"));
        let inkit_headers = headers(INKIT_HEADER, sha256_hex);
        let legacy_headers = headers(
            ROSSUM_SHA1_HEADER,
            format!("sha1={}", hex::encode(hmac_sha1(SECRET.as_bytes(), &body))),
        );
        // A benchmark of a refusal would measure the wrong path: every header must verify.
        rossum
            .verify(&rossum_headers, &body)
            .expect("SHA-256 verifies");
        inkit.verify(&inkit_headers, &body).expect("Inkit verifies");
        rossum
            .verify(&legacy_headers, &body)
            .expect("SHA-1 verifies");

        let mut group = c.benchmark_group(format!("verify_{label}"));
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_function("rossum_sha256", |b| {
            b.iter(|| rossum.verify(black_box(&rossum_headers), black_box(&body)))
        });
        group.bench_function("inkit_sha256", |b| {
            b.iter(|| inkit.verify(black_box(&inkit_headers), black_box(&body)))
        });
        group.bench_function("rossum_legacy_sha1", |b| {
            b.iter(|| rossum.verify(black_box(&legacy_headers), black_box(&body)))
        });
        group.bench_function("sha256_digest", |b| {
            b.iter(|| Sha256::digest(black_box(&body)))
        });
        group.bench_function("sha1_digest", |b| b.iter(|| Sha1::digest(black_box(&body))));
        group.finish();
    }
}

/// A 1 KB Rossum delivery, stage by stage.
fn small_body_breakdown(c: &mut Criterion) {
    let rossum = RossumVerifier::new(SecretSet::from_values(Some(SECRET), None));
    let body = body(1024);
    let signature = hex::encode(hmac_sha256(SECRET.as_bytes(), &body));
    let headers = headers(ROSSUM_SHA256_HEADER, format!("sha256={signature}"));
    rossum.verify(&headers, &body).expect("SHA-256 verifies");
    let keyed = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");

    let mut group = c.benchmark_group("verify_1KB_breakdown");
    group.bench_function("rossum_sha256_verify", |b| {
        b.iter(|| rossum.verify(black_box(&headers), black_box(&body)))
    });
    group.bench_function("hmac_sha256", |b| {
        b.iter(|| hmac_sha256(black_box(SECRET.as_bytes()), black_box(&body)))
    });
    group.bench_function("hmac_key_setup", |b| {
        b.iter(|| Hmac::<Sha256>::new_from_slice(black_box(SECRET.as_bytes())))
    });
    group.bench_function("hmac_from_keyed_state", |b| {
        b.iter(|| {
            let mut mac = keyed.clone();
            mac.update(black_box(&body));
            mac.finalize().into_bytes()
        })
    });
    group.bench_function("sha256_digest", |b| {
        b.iter(|| Sha256::digest(black_box(&body)))
    });
    group.finish();
}

/// Short runs: the suite shares a 2-core machine and must finish in well under a minute.
fn quick() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(10)
}

criterion_group! {
    name = benches;
    config = quick();
    targets = verification, small_body_breakdown
}
criterion_main!(benches);
