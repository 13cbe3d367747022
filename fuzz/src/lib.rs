//! The request path under arbitrary input: every function's real endpoint, with in-memory
//! stores and known secrets, must answer any (route, headers, body) without panicking, with
//! JSON, and never with a 5xx.
//!
//! Shared by the `request_path` fuzz target and by `tools/local-server/tests/fuzz_corpus.rs`
//! (which includes this file by path), so CI replays the seeds without cargo-fuzz.

use std::path::Path;
use std::sync::Arc;

use hyper::header::{HeaderName, HeaderValue};
use inkit_client::{Document, InkitApi, InkitFuture};
use local_server::{Background, Dependencies, SAMPLE_VENDORS_CSV, endpoints};
use record_store::InMemoryRecordStore;
use serde_json::json;
use vendor_matching::{InMemoryVendorStore, VendorStore, read_vendors};
use webhook_endpoint::{Body, Endpoint, EndpointConfig, SecretSource};

/// The secrets the endpoints are configured with: current and previous of each platform.
pub const SECRETS: [(&str, &str); 6] = [
    ("ROSSUM_HOOK_SECRET", "fuzz-rossum-secret"),
    ("ROSSUM_HOOK_SECRET_PREVIOUS", "fuzz-rossum-previous"),
    ("INKIT_WEBHOOK_SECRET", "fuzz-inkit-secret"),
    ("INKIT_WEBHOOK_SECRET_PREVIOUS", "fuzz-inkit-previous"),
    ("CONTRACTFIT_WEBHOOK_TOKEN", "fuzz-contractfit-token"),
    (
        "CONTRACTFIT_WEBHOOK_TOKEN_PREVIOUS",
        "fuzz-contractfit-previous",
    ),
];

/// How the harness authenticates a case before sending it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// Only the case's own headers: whatever the input says.
    Unsigned,
    /// The platform's header made with the current secret (Rossum: SHA-256).
    Current,
    /// Made with the previous secret, as during a rotation.
    Previous,
    /// Rossum's legacy `X-Elis-Signature` (SHA-1); the current secret elsewhere.
    Legacy,
}

/// One request: which function, how it is signed, extra headers and the raw body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Index into the endpoints, taken modulo their number.
    pub route: u8,
    pub signing: Signing,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Case {
    /// Reads fuzzer bytes: route, signing, header count, then per header a length-prefixed
    /// name and value, then the body. Missing bytes read as 0: every input decodes.
    pub fn decode(data: &[u8]) -> Case {
        let mut rest = data;
        let mut next = || take_byte(&mut rest);
        let route = next();
        // Half of all inputs are signed, so that the fuzzer spends its time in the parsers.
        let signing = match next() % 8 {
            0..=3 => Signing::Current,
            4 => Signing::Previous,
            5 => Signing::Legacy,
            _ => Signing::Unsigned,
        };
        let count = next() % 4;
        let headers = (0..count)
            .map(|_| (take_prefixed(&mut rest), take_prefixed(&mut rest)))
            .collect();
        Case {
            route,
            signing,
            headers,
            body: rest.to_vec(),
        }
    }

    /// The bytes [`Case::decode`] reads back as this case (headers are cut at 255 bytes).
    pub fn encode(&self) -> Vec<u8> {
        let signing = match self.signing {
            Signing::Current => 0,
            Signing::Previous => 4,
            Signing::Legacy => 5,
            Signing::Unsigned => 7,
        };
        let mut bytes = vec![self.route, signing, self.headers.len().min(3) as u8];
        for (name, value) in self.headers.iter().take(3) {
            for part in [name, value] {
                let part = &part[..part.len().min(255)];
                bytes.push(part.len() as u8);
                bytes.extend_from_slice(part);
            }
        }
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// The first byte (0 when there is none).
fn take_byte(rest: &mut &[u8]) -> u8 {
    let (&byte, tail) = rest.split_first().unwrap_or((&0, &[]));
    *rest = tail;
    byte
}

/// A length byte and up to that many bytes.
fn take_prefixed(rest: &mut &[u8]) -> Vec<u8> {
    let len = usize::from(take_byte(rest));
    let (taken, tail) = rest.split_at(len.min(rest.len()));
    *rest = tail;
    taken.to_vec()
}

/// What the harness observed for one case (for the corpus test's own assertions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub function: &'static str,
    /// The first delivery's status, then the redelivery's.
    pub statuses: [u16; 2],
}

/// The endpoints' fixed parts, built once: configuration and the vendor master data.
pub struct Harness {
    config: EndpointConfig,
    vendors: Arc<dyn VendorStore>,
    runtime: tokio::runtime::Runtime,
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness {
    pub fn new() -> Self {
        let config = EndpointConfig::from_lookup(SecretSource::Environment, |name| {
            SECRETS
                .iter()
                .find(|(variable, _)| *variable == name)
                .map(|(_, value)| (*value).to_owned())
        });
        let read = read_vendors(SAMPLE_VENDORS_CSV.as_bytes(), false).expect("sample vendors");
        let vendors = Arc::new(InMemoryVendorStore::new(
            read.vendors.into_iter().map(|(_, v)| v),
        ));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        Self {
            config,
            vendors,
            runtime,
        }
    }

    /// Fresh stores for each case, so that a case's outcome does not depend on the ones
    /// before it (the fuzzer needs reproducible inputs).
    fn endpoints(&self) -> Vec<Endpoint> {
        let records = Arc::new(InMemoryRecordStore::new());
        let deps = Dependencies::given(Background::InProcess)
            .with_vendors(self.vendors.clone())
            .with_records(records.clone())
            .with_inkit_records(records)
            .with_inkit_api(Arc::new(AnyDocumentInkitApi))
            .with_contractfit(Arc::new(contractfit_store::InMemoryContractFitStore::new()))
            .with_idempotency(Arc::new(idempotency::InMemoryIdempotencyStore::new()));
        endpoints(&self.config, &deps)
    }

    /// How many endpoints a case's route chooses from.
    pub fn route_count(&self) -> u8 {
        u8::try_from(self.endpoints().len()).expect("fewer than 256 functions")
    }

    /// Delivers the case twice (a platform redelivers) and panics on a 5xx answer or one that
    /// is not JSON.
    pub fn check(&self, case: &Case) -> Outcome {
        let endpoints = self.endpoints();
        let endpoint = &endpoints[usize::from(case.route) % endpoints.len()];
        let statuses = [0, 1].map(|delivery| {
            let (status, body) = self.runtime.block_on(deliver(endpoint, case));
            assert!(
                status < 500,
                "{} answered {status} to delivery {delivery} of {case:?}: {body}",
                endpoint.function()
            );
            if let Err(error) = serde_json::from_str::<serde_json::Value>(&body) {
                panic!(
                    "{} answered {status} with a body that is not JSON ({error}): {body:?}",
                    endpoint.function()
                );
            }
            status
        });
        Outcome {
            function: endpoint.function(),
            statuses,
        }
    }
}

/// The request a front end would hand the endpoint; headers HTTP cannot carry are dropped.
async fn deliver(endpoint: &Endpoint, case: &Case) -> (u16, String) {
    let mut request = webhook_endpoint::Request::new(Body::Binary(case.body.clone()));
    *request.method_mut() = hyper::Method::POST;
    let headers = request.headers_mut();
    for (name, value) in &case.headers {
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    }
    if let Some((name, value)) = signature(endpoint.route(), case) {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(&value).expect("hex and token are valid header values"),
        );
    }
    let response = endpoint.handle(request).await;
    let status = response.status().as_u16();
    let body = match response.into_body() {
        Body::Text(text) => text,
        Body::Empty => String::new(),
        other => String::from_utf8_lossy(&other).into_owned(),
    };
    (status, body)
}

fn secret(variable: &str) -> &'static str {
    SECRETS
        .iter()
        .find(|(name, _)| *name == variable)
        .map(|(_, value)| *value)
        .expect("a known secret")
}

/// The header the platform of `route` would sign the case's body with.
fn signature(route: &str, case: &Case) -> Option<(&'static str, String)> {
    use webhook_verify::{hmac_sha1, hmac_sha256};
    let previous = case.signing == Signing::Previous;
    let pick = |current: &str, old: &str| secret(if previous { old } else { current });
    match case.signing {
        Signing::Unsigned => None,
        _ if route.starts_with("/rossum/") => {
            let key = pick("ROSSUM_HOOK_SECRET", "ROSSUM_HOOK_SECRET_PREVIOUS").as_bytes();
            Some(if case.signing == Signing::Legacy {
                let digest = hex(&hmac_sha1(key, &case.body));
                ("x-elis-signature", format!("sha1={digest}"))
            } else {
                let digest = hex(&hmac_sha256(key, &case.body));
                ("x-rossum-signature-sha256", format!("sha256={digest}"))
            })
        }
        _ if route.starts_with("/inkit/") => {
            let key = pick("INKIT_WEBHOOK_SECRET", "INKIT_WEBHOOK_SECRET_PREVIOUS");
            Some((
                "inkit-signature",
                hex(&hmac_sha256(key.as_bytes(), &case.body)),
            ))
        }
        _ => {
            let token = pick(
                "CONTRACTFIT_WEBHOOK_TOKEN",
                "CONTRACTFIT_WEBHOOK_TOKEN_PREVIOUS",
            );
            Some(("authorization", format!("Bearer {token}")))
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An Inkit API that knows every document: the fuzzer is after our parsing, not Inkit's.
struct AnyDocumentInkitApi;

impl InkitApi for AnyDocumentInkitApi {
    fn document<'a>(&'a self, document_id: &'a str) -> InkitFuture<'a, Document> {
        let document = serde_json::from_value(json!({
            "id": document_id,
            "name": "Welcome letter",
            "status": "completed",
            "created_at": "2026-11-20T09:52:44.118Z"
        }))
        .expect("a document");
        Box::pin(std::future::ready(Ok(document)))
    }
}

/// Each function's sample payload (`events/payloads/<function>.json`), signed, and the same
/// payload unsigned.
pub fn sample_cases(harness: &Harness, payloads: &Path) -> Vec<(String, Case)> {
    let mut cases = Vec::new();
    for (route, endpoint) in harness.endpoints().iter().enumerate() {
        let function = endpoint.function().to_owned();
        let route = u8::try_from(route).expect("fewer than 256 functions");
        let path = payloads.join(format!("{function}.json"));
        let body = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{function} has no sample {}: {e}", path.display()));
        let headers = vec![(b"content-type".to_vec(), b"application/json".to_vec())];
        for signing in [Signing::Current, Signing::Unsigned] {
            let case = Case {
                route,
                signing,
                headers: headers.clone(),
                body: body.clone(),
            };
            cases.push((function.clone(), case));
        }
    }
    cases
}

/// Bodies that have broken JSON receivers elsewhere, each signed, for every route.
pub fn hostile_cases(routes: u8) -> Vec<Case> {
    let deep = |open: &str, close: &str| format!("{}{}", open.repeat(10_000), close.repeat(10_000));
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\"annotation_content\"".to_vec(),
        b"{\"event\":1e999,\"action\":-0}".to_vec(),
        b"\xff\xfe{\"event\":\"annotation_content\"}".to_vec(),
        b"{\"event\":\"annotation_content\",\"action\":\"updated\",\"annotation\":{\"content\":[{\"id\":-1}]}}".to_vec(),
        b"{\"event\":\"annotation_content\",\"action\":\"initialize\",\"settings\":{\"fuzzy_name_threshold\":\"x\"},\"annotation\":{\"content\":null}}".to_vec(),
        b"{\"event_type\":\"DOCUMENT_DELETED\",\"resource_id\":\"\"}".to_vec(),
        b"{\"event_type\":\"DOCUMENT_CREATE_FINISHED\",\"resource_id\":\"doc_#/../\\u0000\"}".to_vec(),
        b"{\"event\":\"document_text\",\"data\":{\"id\":\"aaaaaaaaaaaaaaaaaaaaaaaa\",\"text\":\"\\ud800\"}}".to_vec(),
        b"{\"event\":\"document_split\",\"data\":{\"id\":\"a\",\"sections\":[{\"document_type\":\"x\",\"confidence\":\"NaN\",\"page\":\"-1\"}]}}".to_vec(),
        b"{\"event\":\"document_predict\",\"data\":{\"id\":\"a\",\"timings\":{\"created\":\"9999-99-99\"}}}".to_vec(),
        b"{\"event\":\"email\",\"action\":\"received\",\"files\":[{\"id\":1,\"mime_type\":7}]}".to_vec(),
        deep("[", "]").into_bytes(),
        deep("{\"a\":", "}").into_bytes(),
    ];
    (0..routes)
        .flat_map(|route| {
            bodies.iter().map(move |body| Case {
                route,
                signing: Signing::Current,
                headers: vec![(b"content-type".to_vec(), b"application/json".to_vec())],
                body: body.clone(),
            })
        })
        .collect()
}
