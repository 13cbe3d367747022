//! The seeds of the `request_path` fuzz target (fuzz/), replayed through the same check on
//! every `cargo test`: the signed sample payloads are handled, unsigned ones refused, and
//! hostile bodies answered without a panic, a 5xx or an answer that is not JSON.

#[path = "../../../../fuzz/src/lib.rs"]
mod request_path;

use std::path::Path;

use request_path::{Case, Harness, Signing, hostile_cases, sample_cases};

fn payloads() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../events/payloads"
    ))
}

#[test]
fn signed_samples_are_handled_and_unsigned_ones_refused() {
    let harness = Harness::new();
    let cases = sample_cases(&harness, payloads());
    assert_eq!(cases.len(), 2 * usize::from(harness.route_count()));
    for (function, case) in cases {
        let outcome = harness.check(&case);
        assert_eq!(outcome.function, function);
        let expected = match case.signing {
            Signing::Unsigned => 401,
            _ => 200,
        };
        // A redelivery is answered like the first delivery (as a duplicate where recorded).
        assert_eq!(
            outcome.statuses, [expected; 2],
            "{function} {:?}",
            case.signing
        );
    }
}

#[test]
fn samples_signed_with_the_previous_or_legacy_secret_are_handled() {
    let harness = Harness::new();
    for (function, case) in sample_cases(&harness, payloads()) {
        if case.signing == Signing::Unsigned {
            continue;
        }
        for signing in [Signing::Previous, Signing::Legacy] {
            let outcome = harness.check(&Case {
                signing,
                ..case.clone()
            });
            assert_eq!(outcome.statuses, [200; 2], "{function} {signing:?}");
        }
    }
}

#[test]
fn hostile_bodies_are_answered_without_a_server_error() {
    let harness = Harness::new();
    let cases = hostile_cases(harness.route_count());
    assert!(!cases.is_empty());
    for case in cases {
        let outcome = harness.check(&case);
        // Signed, so never 401; a body that is not a JSON object is never a delivery.
        let object =
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&case.body);
        for status in outcome.statuses {
            let expected = if object.is_ok() {
                status != 401
            } else {
                status == 400
            };
            assert!(
                expected,
                "{} answered {status} to {:?}",
                outcome.function,
                String::from_utf8_lossy(&case.body)
            );
        }
    }
}

#[test]
fn fuzzer_bytes_decode_to_the_case_they_encode() {
    let harness = Harness::new();
    for (_, case) in sample_cases(&harness, payloads()) {
        assert_eq!(Case::decode(&case.encode()), case);
    }
    let unsigned = Case {
        route: 3,
        signing: Signing::Unsigned,
        headers: vec![(b"x-elis-signature".to_vec(), b"sha1=00".to_vec())],
        body: b"{}".to_vec(),
    };
    assert_eq!(Case::decode(&unsigned.encode()), unsigned);
    // Any bytes are a case, including too few of them.
    for short in [&b""[..], b"\x07", b"\x01\x07\x03\xff"] {
        harness.check(&Case::decode(short));
    }
}
