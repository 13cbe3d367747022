//! Every way a delivery can fail verification, and rotation.

use webhook_verify::{
    ContractFitVerifier, InkitVerifier, RossumVerifier, SecretSet, SecretUsed, VerifyError,
    hmac_sha1, hmac_sha256,
};

const SECRET: &str = "MySecretKey";
const BODY: &[u8] = br#"{"action":"updated","event":"annotation_content"}"#;

fn rossum() -> RossumVerifier {
    RossumVerifier::new(SecretSet::from_values(Some(SECRET), None))
}

fn sha256_header(key: &str, body: &[u8]) -> String {
    format!("sha256={}", hex::encode(hmac_sha256(key.as_bytes(), body)))
}

fn sha1_header(key: &str, body: &[u8]) -> String {
    format!("sha1={}", hex::encode(hmac_sha1(key.as_bytes(), body)))
}

fn verify_rossum(
    verifier: &RossumVerifier,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<(), VerifyError> {
    verifier.verify(headers, body).map(|_| ())
}

fn malformed(reason: &'static str) -> Result<(), VerifyError> {
    Err(VerifyError::Malformed {
        header: "x-rossum-signature-sha256",
        reason,
    })
}

#[test]
fn a_tampered_body_is_a_mismatch() {
    let header = sha256_header(SECRET, BODY);
    let mut tampered = BODY.to_vec();
    tampered[3] ^= 0x01;
    let result = verify_rossum(
        &rossum(),
        &[("x-rossum-signature-sha256", &header)],
        &tampered,
    );
    assert_eq!(result, Err(VerifyError::Mismatch));
}

#[test]
fn a_wrong_secret_is_a_mismatch() {
    let header = sha256_header("another secret", BODY);
    let result = verify_rossum(&rossum(), &[("x-rossum-signature-sha256", &header)], BODY);
    assert_eq!(result, Err(VerifyError::Mismatch));
}

#[test]
fn a_missing_header_is_reported_as_missing() {
    assert_eq!(
        verify_rossum(&rossum(), &[("content-type", "application/json")], BODY),
        Err(VerifyError::MissingSignature {
            header: "x-rossum-signature-sha256"
        })
    );
}

#[test]
fn malformed_headers_are_refused_with_their_reason() {
    let v = rossum();
    let good = sha256_header(SECRET, BODY);
    let hex_part = good.trim_start_matches("sha256=");
    let cases = [
        ("sha256=".to_owned(), "empty signature"),
        (String::new(), "expected '<algorithm>=<hex digest>'"),
        (hex_part.to_owned(), "expected '<algorithm>=<hex digest>'"),
        (format!("sha1={hex_part}"), "unexpected signature algorithm"),
        (
            format!("sha256={}", "zz".repeat(32)),
            "signature is not hexadecimal",
        ),
        // A prefix of the right digest: the check that once let empty signatures through.
        (
            good[..good.len() - 2].to_owned(),
            "signature has the wrong length",
        ),
        (format!("{good}00"), "signature has the wrong length"),
    ];
    for (header, reason) in cases {
        assert_eq!(
            verify_rossum(&v, &[("x-rossum-signature-sha256", &header)], BODY),
            malformed(reason),
            "{header:?}"
        );
    }
}

#[test]
fn header_name_and_hex_case_and_surrounding_whitespace_are_tolerated() {
    let good = sha256_header(SECRET, BODY);
    let shouty = format!(
        "  SHA256 = {}  ",
        good.trim_start_matches("sha256=").to_uppercase()
    );
    verify_rossum(&rossum(), &[("X-ROSSUM-SIGNATURE-SHA256", &shouty)], BODY).unwrap();
}

#[test]
fn the_sha256_header_wins_over_the_legacy_one() {
    // A valid legacy signature cannot rescue a wrong SHA-256 one (no downgrade).
    let wrong = sha256_header("another secret", BODY);
    let legacy = sha1_header(SECRET, BODY);
    let headers = [
        ("x-rossum-signature-sha256", wrong.as_str()),
        ("x-elis-signature", legacy.as_str()),
    ];
    assert_eq!(
        verify_rossum(&rossum(), &headers, BODY),
        Err(VerifyError::Mismatch)
    );
}

#[test]
fn legacy_sha1_alone_is_accepted_unless_switched_off() {
    let legacy = sha1_header(SECRET, BODY);
    let headers = [("x-elis-signature", legacy.as_str())];
    verify_rossum(&rossum(), &headers, BODY).unwrap();
    assert_eq!(
        verify_rossum(&rossum().allow_legacy_sha1(false), &headers, BODY),
        Err(VerifyError::LegacySchemeDisabled {
            header: "x-elis-signature"
        })
    );
    let tampered = sha1_header(SECRET, b"{}");
    assert_eq!(
        verify_rossum(&rossum(), &[("x-elis-signature", &tampered)], BODY),
        Err(VerifyError::Mismatch)
    );
}

#[test]
fn without_a_secret_nothing_verifies() {
    let good = sha256_header(SECRET, BODY);
    let headers = [("x-rossum-signature-sha256", good.as_str())];
    let unconfigured = RossumVerifier::new(None);
    let err = unconfigured.verify(&headers, BODY).unwrap_err();
    assert_eq!(err, VerifyError::NotConfigured { provider: "rossum" });
    assert_eq!(err.http_status(), 500);
    assert!(
        SecretSet::from_values(Some(""), Some("old")).is_none(),
        "an empty secret is no secret"
    );
    assert!(
        SecretSet::from_values(None, Some("old")).is_none(),
        "a previous secret alone is no configuration"
    );
}

#[test]
fn rotation_accepts_current_and_previous_and_says_which() {
    let set = SecretSet::from_values(Some("new"), Some("old"));
    let v = RossumVerifier::new(set);
    for (signed_with, expected) in [
        ("new", Ok(SecretUsed::Current)),
        ("old", Ok(SecretUsed::Previous)),
        ("older", Err(VerifyError::Mismatch)),
    ] {
        let header = sha256_header(signed_with, BODY);
        assert_eq!(
            v.verify(&[("x-rossum-signature-sha256", header.as_str())], BODY)
                .map(|verified| verified.secret),
            expected,
            "signed with {signed_with:?}"
        );
    }
}

#[test]
fn inkit_refuses_prefixed_missing_and_wrong_signatures() {
    let v = InkitVerifier::new(SecretSet::from_values(Some(SECRET), None));
    let digest = hex::encode(hmac_sha256(SECRET.as_bytes(), BODY));
    v.verify(
        &[(
            "inkit-signature",
            format!(" {} ", digest.to_uppercase()).as_str(),
        )],
        BODY,
    )
    .unwrap();
    assert!(matches!(
        v.verify(
            &[("inkit-signature", format!("sha256={digest}").as_str())],
            BODY
        ),
        Err(VerifyError::Malformed { .. })
    ));
    assert_eq!(
        v.verify(&[("x-other", "1")], BODY),
        Err(VerifyError::MissingSignature {
            header: "inkit-signature"
        })
    );
    let other = hex::encode(hmac_sha256(b"other", BODY));
    assert_eq!(
        v.verify(&[("Inkit-Signature", other.as_str())], BODY),
        Err(VerifyError::Mismatch)
    );
    assert_eq!(
        InkitVerifier::new(None)
            .verify(&[("inkit-signature", digest.as_str())], BODY)
            .unwrap_err()
            .http_status(),
        500
    );
}

#[test]
fn contractfit_checks_the_static_bearer_token() {
    let v = ContractFitVerifier::new(SecretSet::from_values(Some("tok-123"), Some("tok-old")));
    v.verify(&[("Authorization", "Bearer tok-123")]).unwrap();
    v.verify(&[("authorization", "  bearer   tok-old ")])
        .unwrap();
    for wrong in ["Bearer tok-12", "Bearer tok-1234"] {
        assert_eq!(
            v.verify(&[("authorization", wrong)]),
            Err(VerifyError::Mismatch),
            "{wrong:?}"
        );
    }
    for malformed in ["Basic tok-123", "Bearer ", "tok-123"] {
        assert!(
            matches!(
                v.verify(&[("authorization", malformed)]),
                Err(VerifyError::Malformed { .. })
            ),
            "{malformed:?}"
        );
    }
    assert!(matches!(
        v.verify(&[]),
        Err(VerifyError::MissingSignature { .. })
    ));

    let custom = ContractFitVerifier::new(SecretSet::from_values(Some("tok-123"), None))
        .with_header("X-Api-Key", "");
    custom.verify(&[("x-api-key", "tok-123")]).unwrap();
    assert!(matches!(
        custom.verify(&[("authorization", "Bearer tok-123")]),
        Err(VerifyError::MissingSignature { .. })
    ));
}
