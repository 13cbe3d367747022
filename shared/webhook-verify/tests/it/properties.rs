//! Properties of verification over arbitrary bodies, secrets and single-byte changes.

use proptest::prelude::*;
use proptest::sample::Index;
use webhook_verify::{
    ContractFitVerifier, HeaderSource, InkitVerifier, RossumVerifier, Scheme, Secret, SecretSet,
    SecretUsed, VerifyError, hmac_sha1, hmac_sha256,
};

/// Header values as raw bytes, so that a changed value need not be UTF-8.
struct RawHeaders(Vec<(&'static str, Vec<u8>)>);

impl HeaderSource for RawHeaders {
    fn header_value(&self, name: &str) -> Option<&[u8]> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

/// The four ways a platform authenticates a delivery.
#[derive(Debug, Clone, Copy)]
enum Platform {
    RossumSha256,
    RossumSha1,
    Inkit,
    ContractFit,
}

/// The three that sign the body (contract.fit sends a static token instead).
fn signing_platform() -> impl Strategy<Value = Platform> {
    prop_oneof![
        Just(Platform::RossumSha256),
        Just(Platform::RossumSha1),
        Just(Platform::Inkit),
    ]
}

fn any_platform() -> impl Strategy<Value = Platform> {
    prop_oneof![signing_platform(), Just(Platform::ContractFit)]
}

impl Platform {
    fn header(self) -> &'static str {
        match self {
            Platform::RossumSha256 => "x-rossum-signature-sha256",
            Platform::RossumSha1 => "x-elis-signature",
            Platform::Inkit => "inkit-signature",
            Platform::ContractFit => "authorization",
        }
    }

    /// What comes before the hex digest or token in the header value.
    fn prefix(self) -> &'static str {
        match self {
            Platform::RossumSha256 => "sha256=",
            Platform::RossumSha1 => "sha1=",
            Platform::Inkit => "",
            Platform::ContractFit => "Bearer ",
        }
    }

    fn scheme(self) -> Scheme {
        match self {
            Platform::RossumSha256 | Platform::Inkit => Scheme::HmacSha256,
            Platform::RossumSha1 => Scheme::LegacyHmacSha1,
            Platform::ContractFit => Scheme::StaticToken,
        }
    }

    /// The lower-case hex digest of `body` (or the token itself for contract.fit).
    fn credential(self, secret: &[u8], body: &[u8]) -> Vec<u8> {
        match self {
            Platform::RossumSha256 | Platform::Inkit => {
                hex::encode(hmac_sha256(secret, body)).into_bytes()
            }
            Platform::RossumSha1 => hex::encode(hmac_sha1(secret, body)).into_bytes(),
            Platform::ContractFit => secret.to_vec(),
        }
    }

    /// The header value the platform sends, exactly as documented.
    fn header_value(self, secret: &[u8], body: &[u8]) -> Vec<u8> {
        [self.prefix().as_bytes(), &self.credential(secret, body)].concat()
    }

    fn verify(self, secrets: SecretSet, value: Vec<u8>, body: &[u8]) -> VerifyResult {
        let headers = RawHeaders(vec![
            ("content-type", b"application/json".to_vec()),
            (self.header(), value),
        ]);
        match self {
            Platform::RossumSha256 | Platform::RossumSha1 => {
                RossumVerifier::new(Some(secrets)).verify(&headers, body)
            }
            Platform::Inkit => InkitVerifier::new(Some(secrets)).verify(&headers, body),
            Platform::ContractFit => ContractFitVerifier::new(Some(secrets)).verify(&headers),
        }
        .map(|verified| {
            assert_eq!(verified.scheme, self.scheme());
            verified.secret
        })
    }
}

type VerifyResult = Result<SecretUsed, VerifyError>;

fn only(secret: &[u8]) -> SecretSet {
    SecretSet::new(Secret::new(secret).unwrap(), None)
}

fn rotating(current: &[u8], previous: &[u8]) -> SecretSet {
    SecretSet::new(Secret::new(current).unwrap(), Secret::new(previous))
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..600)
}

/// A secret of any bytes for the signing platforms; a token of visible ASCII for
/// contract.fit (a header cannot carry a token that starts or ends with whitespace).
fn secret_for(platform: Platform) -> BoxedStrategy<Vec<u8>> {
    match platform {
        Platform::ContractFit => "[!-~]{1,64}".prop_map(String::into_bytes).boxed(),
        _ => proptest::collection::vec(any::<u8>(), 1..80).boxed(),
    }
}

fn platform_and_secret() -> impl Strategy<Value = (Platform, Vec<u8>)> {
    any_platform().prop_flat_map(|p| (Just(p), secret_for(p)))
}

/// One single-byte change.
#[derive(Debug, Clone)]
enum Change {
    /// XOR the byte at the index with a non-zero mask.
    Flip(Index, u8),
    Insert(Index, u8),
    Delete(Index),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (any::<Index>(), 1..=u8::MAX).prop_map(|(at, mask)| Change::Flip(at, mask)),
        (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Change::Insert(at, byte)),
        any::<Index>().prop_map(Change::Delete),
    ]
}

impl Change {
    /// Applies the change to non-empty `bytes`.
    fn apply(&self, bytes: &[u8]) -> Vec<u8> {
        let mut changed = bytes.to_vec();
        match self {
            Change::Flip(at, mask) => changed[at.index(bytes.len())] ^= mask,
            // One more position than bytes: inserting at the very end is a change too.
            Change::Insert(at, byte) => changed.insert(at.index(bytes.len() + 1), *byte),
            Change::Delete(at) => {
                changed.remove(at.index(bytes.len()));
            }
        }
        changed
    }

    /// Whether the changed credential still means the same one: a hex digit turned into its
    /// other case, or whitespace added before or after it, both tolerated by design.
    fn is_tolerated(&self, platform: Platform, credential: &[u8]) -> bool {
        match self {
            Change::Flip(at, mask) => {
                let original = credential[at.index(credential.len())];
                let flipped = original ^ mask;
                !matches!(platform, Platform::ContractFit)
                    && flipped.eq_ignore_ascii_case(&original)
            }
            Change::Insert(at, byte) => {
                let at = at.index(credential.len() + 1);
                (at == 0 || at == credential.len()) && byte.is_ascii_whitespace()
            }
            Change::Delete(_) => false,
        }
    }
}

proptest! {
    #[test]
    fn a_delivery_signed_with_the_secret_always_verifies(
        (platform, secret) in platform_and_secret(),
        body in body(),
    ) {
        let value = platform.header_value(&secret, &body);
        prop_assert_eq!(platform.verify(only(&secret), value, &body), Ok(SecretUsed::Current));
    }

    #[test]
    fn any_single_byte_change_to_the_body_is_refused(
        platform in signing_platform(),
        secret in proptest::collection::vec(any::<u8>(), 1..80),
        body in proptest::collection::vec(any::<u8>(), 1..600),
        change in change(),
    ) {
        let value = platform.header_value(&secret, &body);
        let changed = change.apply(&body);
        prop_assert_eq!(
            platform.verify(only(&secret), value, &changed),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn any_single_byte_change_to_the_signature_is_refused(
        (platform, secret) in platform_and_secret(),
        body in body(),
        change in change(),
    ) {
        let credential = platform.credential(&secret, &body);
        prop_assume!(!change.is_tolerated(platform, &credential));
        let value = [platform.prefix().as_bytes(), &change.apply(&credential)].concat();
        let result = platform.verify(only(&secret), value, &body);
        prop_assert!(
            matches!(result, Err(VerifyError::Mismatch | VerifyError::Malformed { .. })),
            "{:?} was not refused", result
        );
    }

    #[test]
    fn the_previous_secret_verifies_only_while_it_is_configured(
        (platform, current, previous) in any_platform()
            .prop_flat_map(|p| (Just(p), secret_for(p), secret_for(p))),
        body in body(),
    ) {
        prop_assume!(current != previous);
        let by_previous = platform.header_value(&previous, &body);
        let by_current = platform.header_value(&current, &body);
        let rotation = || rotating(&current, &previous);
        // Signed by each secret while both are configured, then by the previous one once it
        // is dropped.
        let cases = [
            ("previous, both set", rotation(), by_previous.clone(), Ok(SecretUsed::Previous)),
            ("current, both set", rotation(), by_current, Ok(SecretUsed::Current)),
            ("previous, dropped", only(&current), by_previous, Err(VerifyError::Mismatch)),
        ];
        for (signed_by, secrets, value, expected) in cases {
            prop_assert_eq!(
                platform.verify(secrets, value, &body), expected, "signed by the {}", signed_by
            );
        }
    }

    #[test]
    fn case_and_surrounding_whitespace_do_not_matter(
        (platform, secret) in platform_and_secret(),
        body in body(),
        upper in proptest::collection::vec(any::<bool>(), 80),
        before in "[ \t]{0,3}",
        between in "[ \t]{1,3}",
        after in "[ \t]{0,3}",
    ) {
        let recase = |text: &[u8]| -> Vec<u8> {
            text.iter()
                .zip(upper.iter().cycle())
                .map(|(b, &up)| if up { b.to_ascii_uppercase() } else { *b })
                .collect()
        };
        let credential = platform.credential(&secret, &body);
        let value = match platform {
            // The token is compared exactly; only the scheme word's case is free.
            Platform::ContractFit => [
                before.as_bytes(),
                &recase(b"bearer"),
                between.as_bytes(),
                &credential,
                after.as_bytes(),
            ]
            .concat(),
            _ => [
                before.as_bytes(),
                &recase(platform.prefix().as_bytes()),
                &recase(&credential),
                after.as_bytes(),
            ]
            .concat(),
        };
        prop_assert_eq!(platform.verify(only(&secret), value, &body), Ok(SecretUsed::Current));
    }
}
