//! The HTTPS client the DynamoDB client uses: rustls on ring, trusting the Amazon Trust
//! Services roots compiled into the binary (every AWS endpoint chains to them), plus the PEM
//! bundle named by `AWS_CA_BUNDLE` when one is set (a TLS-inspecting proxy, a private
//! endpoint).
//!
//! The SDK's default client would read every certificate file of the system at start-up
//! (~5 ms of a cold start with 146 files) and link a second crypto library.

use std::path::Path;

use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::Builder;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Amazon Root CA 1–4 and Starfield Services Root G2, as published by Amazon Trust Services.
const AMAZON_TRUST_SERVICES_ROOTS: &[u8] = include_bytes!("amazon_trust_services_roots.pem");

/// Names a PEM file of extra root certificates, as in the other AWS SDKs.
pub const CA_BUNDLE_ENV: &str = "AWS_CA_BUNDLE";

/// The HTTPS client for DynamoDB, with the bundle `AWS_CA_BUNDLE` names (if any).
pub fn https_client() -> SharedHttpClient {
    let bundle = std::env::var_os(CA_BUNDLE_ENV).filter(|p| !p.is_empty());
    https_client_with_bundle(bundle.as_deref().map(Path::new))
}

/// The HTTPS client for DynamoDB, trusting the certificates of the PEM file `ca_bundle` as
/// well. A bundle that cannot be read or holds no usable certificate is logged and left out:
/// connections that need it then fail their TLS handshake (503 to the sender) instead of the
/// function failing to start.
pub fn https_client_with_bundle(ca_bundle: Option<&Path>) -> SharedHttpClient {
    let extra = ca_bundle.and_then(|path| {
        match std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|pem| validated_roots(&pem).map(|_| pem))
        {
            Ok(pem) => Some(pem),
            Err(why) => {
                tracing::error!(path = %path.display(), "the CA bundle is not used: {why}");
                None
            }
        }
    });
    build(extra)
}

/// The HTTPS client for DynamoDB, trusting the root certificates of `pem` as well.
pub fn https_client_with_extra_roots(pem: &[u8]) -> Result<SharedHttpClient, String> {
    validated_roots(pem)?;
    Ok(build(Some(pem.to_vec())))
}

fn build(extra_roots: Option<Vec<u8>>) -> SharedHttpClient {
    let mut trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AMAZON_TRUST_SERVICES_ROOTS);
    if let Some(pem) = extra_roots {
        trust = trust.with_pem_certificate(pem);
    }
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("building a TLS context cannot fail");
    Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .tls_context(context)
        .build_https()
}

/// The root certificates of a PEM bundle, parsed exactly as the HTTPS client will parse them
/// (which panics on what it cannot parse, so nothing unparsable may reach it).
fn validated_roots(pem: &[u8]) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| format!("not a PEM certificate bundle: {e:?}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("a certificate is not usable as a root: {e}"))?;
    }
    if roots.is_empty() {
        return Err("no certificate in it".to_owned());
    }
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_roots_are_the_five_amazon_trust_services_roots() {
        let roots = validated_roots(AMAZON_TRUST_SERVICES_ROOTS).expect("valid roots");
        assert_eq!(roots.len(), 5);
    }

    #[test]
    fn a_bundle_without_certificates_is_refused() {
        assert!(validated_roots(b"").is_err());
        assert!(validated_roots(b"just some text\n").is_err());
    }

    #[test]
    fn a_damaged_certificate_is_refused_before_it_reaches_the_client() {
        let damaged =
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
        assert!(validated_roots(damaged.as_bytes()).is_err());
        let truncated = &AMAZON_TRUST_SERVICES_ROOTS[..AMAZON_TRUST_SERVICES_ROOTS.len() / 3];
        assert!(validated_roots(truncated).is_err());
    }
}
