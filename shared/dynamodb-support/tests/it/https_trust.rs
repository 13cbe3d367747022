//! The DynamoDB client's HTTPS: a real TLS handshake with a server on loopback whose
//! certificate comes from a test CA (`tests/tls/`, valid until 2126; its key was discarded).
//! Trusted through the extra roots, the request reaches the server; with only the compiled-in
//! Amazon roots, the handshake is refused and no request is sent.

use std::sync::Arc;

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region, SharedHttpClient};
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use std::path::Path;

use dynamodb_support::{https_client_with_bundle, https_client_with_extra_roots};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

const TEST_CA: &[u8] = include_bytes!("../tls/ca.pem");
const SERVER_CERT: &[u8] = include_bytes!("../tls/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("../tls/server.key");

/// What the server saw of one connection.
#[derive(Debug)]
enum Seen {
    Request(String),
    HandshakeFailed(String),
}

/// A TLS server answering every request as DynamoDB answers a missing table.
async fn start_server() -> (u16, mpsc::UnboundedReceiver<Seen>) {
    let certs = CertificateDer::pem_slice_iter(SERVER_CERT)
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (seen, seen_rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut tls = match acceptor.accept(tcp).await {
                    Ok(tls) => tls,
                    Err(e) => {
                        let _ = seen.send(Seen::HandshakeFailed(e.to_string()));
                        return;
                    }
                };
                let request = read_request(&mut tls).await;
                let _ = seen.send(Seen::Request(request));
                let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#;
                let answer = format!(
                    "HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, seen_rx)
}

/// The request head and body, read up to its `content-length`.
async fn read_request(stream: &mut (impl AsyncReadExt + Unpin)) -> String {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(head_end) = text.find("\r\n\r\n") {
            let length = text[..head_end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if bytes.len() >= head_end + 4 + length {
                return text;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn dynamodb(http: SharedHttpClient, port: u16) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .endpoint_url(format!("https://localhost:{port}"))
        .retry_config(RetryConfig::disabled())
        .http_client(http)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

async fn get_item(client: &aws_sdk_dynamodb::Client) -> Result<(), String> {
    match client
        .get_item()
        .table_name("master-data")
        .key("pk", AttributeValue::S("VENDOR#1".into()))
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(SdkError::ServiceError(e)) => Err(format!("service error: {:?}", e.err())),
        Err(e) => Err(format!("no answer: {}", DisplayErrorContext(&e))),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_signed_by_an_extra_root_is_reached_over_tls() {
    let (port, mut seen) = start_server().await;
    let client = dynamodb(https_client_with_extra_roots(TEST_CA).unwrap(), port);

    let outcome = get_item(&client).await;

    let err = outcome.expect_err("the server answers ResourceNotFoundException");
    assert!(
        err.starts_with("service error") && err.contains("ResourceNotFound"),
        "{err}"
    );
    match seen.recv().await.unwrap() {
        Seen::Request(request) => {
            assert!(request.starts_with("POST / HTTP/1.1"), "{request}");
            assert!(request.contains("DynamoDB_20120810.GetItem"), "{request}");
            assert!(request.contains("master-data"), "{request}");
        }
        other => panic!("expected a request, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_amazon_roots_are_trusted_by_default() {
    let (port, mut seen) = start_server().await;
    let client = dynamodb(https_client_with_bundle(None), port);

    let err = get_item(&client).await.expect_err("the handshake fails");

    assert!(err.starts_with("no answer"), "{err}");
    assert!(
        err.to_lowercase().contains("certificate"),
        "the cause names the certificate: {err}"
    );
    match seen.recv().await.unwrap() {
        // The client hung up with an "unknown CA" alert.
        Seen::HandshakeFailed(why) => assert!(why.contains("UnknownCA"), "{why}"),
        other => panic!("no request may reach an untrusted server, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_bundle_file_is_trusted() {
    let (port, mut seen) = start_server().await;
    let bundle = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tls/ca.pem");
    let client = dynamodb(https_client_with_bundle(Some(&bundle)), port);

    let err = get_item(&client)
        .await
        .expect_err("ResourceNotFoundException");

    assert!(err.starts_with("service error"), "{err}");
    assert!(matches!(seen.recv().await.unwrap(), Seen::Request(_)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unusable_ca_bundle_is_left_out_and_the_client_still_starts() {
    let (port, mut seen) = start_server().await;
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for bundle in [tests.join("tls/missing.pem"), tests.join("tls/server.key")] {
        let client = dynamodb(https_client_with_bundle(Some(&bundle)), port);

        let err = get_item(&client).await.expect_err("the handshake fails");

        assert!(err.starts_with("no answer"), "{}: {err}", bundle.display());
        assert!(matches!(
            seen.recv().await.unwrap(),
            Seen::HandshakeFailed(_)
        ));
    }
}

#[test]
fn extra_roots_that_are_not_certificates_are_refused() {
    assert!(https_client_with_extra_roots(b"").is_err());
    assert!(https_client_with_extra_roots(SERVER_KEY).is_err());
}
