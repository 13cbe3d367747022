//! Every vector computed by Python's hmac (see vectors/generate_vectors.py) verifies.

use serde::Deserialize;
use webhook_verify::{
    InkitVerifier, RossumVerifier, Scheme, SecretSet, SecretUsed, hmac_sha1, hmac_sha256,
};

#[derive(Deserialize)]
struct Vectors {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    key: String,
    body_hex: String,
    x_rossum_signature_sha256: String,
    x_elis_signature: String,
    inkit_signature: String,
}

fn cases() -> Vec<Case> {
    let text = include_str!("../vectors/vectors.json");
    let vectors: Vectors = serde_json::from_str(text).expect("vectors.json parses");
    assert!(vectors.cases.len() >= 7, "the vector file lost cases");
    vectors.cases
}

fn secrets(key: &str) -> Option<SecretSet> {
    SecretSet::from_values(Some(key), None)
}

#[test]
fn hmac_functions_match_python() {
    for case in cases() {
        let body = hex::decode(&case.body_hex).unwrap();
        let key = case.key.as_bytes();
        assert_eq!(
            format!("sha256={}", hex::encode(hmac_sha256(key, &body))),
            case.x_rossum_signature_sha256,
            "{}",
            case.name
        );
        assert_eq!(
            format!("sha1={}", hex::encode(hmac_sha1(key, &body))),
            case.x_elis_signature,
            "{}",
            case.name
        );
    }
}

#[test]
fn rossum_sha256_and_legacy_sha1_headers_verify() {
    for case in cases() {
        let body = hex::decode(&case.body_hex).unwrap();
        let verifier = RossumVerifier::new(secrets(&case.key));
        let current = [(
            "X-Rossum-Signature-SHA256",
            case.x_rossum_signature_sha256.as_str(),
        )];
        let verified = verifier
            .verify(&current, &body)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(verified.scheme, Scheme::HmacSha256);
        assert_eq!(verified.secret, SecretUsed::Current);

        let legacy = [("X-Elis-Signature", case.x_elis_signature.as_str())];
        let verified = verifier
            .verify(&legacy, &body)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(verified.scheme, Scheme::LegacyHmacSha1);
    }
}

#[test]
fn inkit_header_verifies() {
    for case in cases() {
        let body = hex::decode(&case.body_hex).unwrap();
        let verifier = InkitVerifier::new(secrets(&case.key));
        let headers = [("Inkit-Signature", case.inkit_signature.as_str())];
        verifier
            .verify(&headers, &body)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
    }
}

#[test]
fn http_header_maps_work_as_api_gateway_delivers_them() {
    let case = &cases()[1];
    let body = hex::decode(&case.body_hex).unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "x-rossum-signature-sha256",
        case.x_rossum_signature_sha256.parse().unwrap(),
    );
    RossumVerifier::new(secrets(&case.key))
        .verify(&headers, &body)
        .unwrap();
}
