//! The local server: every webhook function on one port, at the same paths as the deployed
//! HTTP API, through the very `Endpoint` values the Lambda binaries run.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use contractfit_store::ContractFitStore;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use idempotency::IdempotencyStore;
use inkit_client::InkitApi;
use record_store::{InkitRecordStore, RecordStore};
use serde_json::json;
use tokio::net::TcpListener;
use vendor_matching::VendorStore;
use webhook_endpoint::{Body, Endpoint, EndpointConfig, WebhookError, json_response};

/// The sample vendor master file, built in so the server works from any directory.
pub const SAMPLE_VENDORS_CSV: &str = include_str!("../../../events/master-data/vendors.csv");

/// What the functions are handed: the stores and the Inkit API client.
#[derive(Clone)]
pub struct Dependencies {
    pub vendors: Arc<dyn VendorStore>,
    pub records: Arc<dyn RecordStore>,
    pub inkit_records: Arc<dyn InkitRecordStore>,
    pub inkit_api: Arc<dyn InkitApi>,
    pub contractfit: Arc<dyn ContractFitStore>,
    /// The guarded functions' idempotency records.
    pub idempotency: Arc<dyn IdempotencyStore>,
}

/// Every function of the workspace, configured from `config`. A new function is added here.
pub fn endpoints(config: &EndpointConfig, deps: &Dependencies) -> Vec<Endpoint> {
    let mut endpoints = vec![
        rossum_annotation_updated::endpoint(config, deps.vendors.clone()),
        rossum_annotation_initialize::endpoint(config, deps.vendors.clone()),
        rossum_annotation_export::endpoint(config, deps.records.clone(), deps.idempotency.clone()),
        rossum_annotation_status::endpoint(config, deps.records.clone(), deps.idempotency.clone()),
        rossum_email_received::endpoint(config, deps.records.clone(), deps.idempotency.clone()),
        rossum_upload_created::endpoint(config, deps.idempotency.clone()),
        inkit_document_create_finished::endpoint(
            config,
            deps.inkit_records.clone(),
            deps.inkit_api.clone(),
            // What the stream and the worker do on AWS, in-process: retried with backoff.
            Arc::new(inkit_document_create_finished::BackgroundRetry::new(
                deps.inkit_records.clone(),
                deps.inkit_api.clone(),
                inkit_document_create_finished::RetrySchedule::from_env(),
            )),
            deps.idempotency.clone(),
        ),
        inkit_document_create_failed::endpoint(
            config,
            deps.inkit_records.clone(),
            deps.idempotency.clone(),
        ),
        inkit_document_deleted::endpoint(
            config,
            deps.inkit_records.clone(),
            deps.idempotency.clone(),
        ),
    ];
    // The five contract.fit functions, one package.
    endpoints.extend(contractfit_functions::FUNCTIONS.iter().map(|function| {
        function.endpoint(config, deps.contractfit.clone(), deps.idempotency.clone())
    }));
    endpoints
}

/// A function no route serves: an event source drives it on AWS, and the local server does
/// its work in-process.
#[derive(Debug, Clone, Copy)]
pub struct Worker {
    pub name: &'static str,
    pub platform: &'static str,
    /// What drives it on AWS.
    pub source: &'static str,
}

/// Every worker of the workspace.
pub const WORKERS: [Worker; 1] = [Worker {
    name: inkit_document_details::FUNCTION_NAME,
    platform: "inkit",
    source: "the records table's DynamoDB stream (the local server retries in the background)",
}];

/// The function registry as scripts and tests read it (`local-server --list-functions
/// --json`): every endpoint (name, platform, route) and every worker, each with its sample
/// event and raw payload under `events/`.
pub fn function_list(endpoints: &[Endpoint]) -> serde_json::Value {
    let mut functions: Vec<serde_json::Value> = endpoints
        .iter()
        .map(|e| {
            json!({
                "name": e.function(),
                "platform": e.platform(),
                "route": e.route(),
                "event": format!("events/{}.json", e.function()),
                "payload": format!("events/payloads/{}.json", e.function()),
            })
        })
        .collect();
    functions.extend(WORKERS.iter().map(|w| {
        json!({
            "name": w.name,
            "platform": w.platform,
            "route": null,
            "source": w.source,
            "event": format!("events/{}.json", w.name),
            "payload": null,
        })
    }));
    functions.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    serde_json::Value::Array(functions)
}

/// Routes requests by path to their endpoint.
#[derive(Clone)]
pub struct Router {
    routes: Arc<HashMap<&'static str, Endpoint>>,
}

impl Router {
    pub fn new(endpoints: Vec<Endpoint>) -> Self {
        let routes = endpoints.into_iter().map(|e| (e.route(), e)).collect();
        Self {
            routes: Arc::new(routes),
        }
    }

    /// The served paths, sorted.
    pub fn routes(&self) -> Vec<&'static str> {
        let mut routes: Vec<_> = self.routes.keys().copied().collect();
        routes.sort_unstable();
        routes
    }

    /// Answers one HTTP request.
    pub async fn handle(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let started = Instant::now();
        let path = request.uri().path().to_owned();
        let Some(endpoint) = self.routes.get(path.as_str()) else {
            let response =
                json_response(404, &json!({"error": "not_found", "routes": self.routes()}));
            log_unrouted(&path, 404, started);
            return into_hyper(response);
        };
        if request.method() != Method::POST {
            let mut response = json_response(
                405,
                &json!({"error": "method_not_allowed", "allow": "POST"}),
            );
            response
                .headers_mut()
                .insert("allow", "POST".parse().expect("valid header"));
            log_unrouted(&path, 405, started);
            return into_hyper(response);
        }
        let (parts, body) = request.into_parts();
        let limit = endpoint.max_body_bytes();
        // Read one byte past the limit at most: the endpoint then answers 413 itself.
        let body = match Limited::new(body, limit + 1).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(error) => {
                let error = if error.is::<http_body_util::LengthLimitError>() {
                    WebhookError::PayloadTooLarge {
                        size: limit + 1,
                        limit,
                    }
                } else {
                    WebhookError::MalformedBody(format!("could not read the request body: {error}"))
                };
                log_unrouted(&path, error.status(), started);
                return into_hyper(error.to_response());
            }
        };
        let request = webhook_endpoint::Request::from_parts(parts, Body::Binary(body.to_vec()));
        into_hyper(endpoint.handle(request).await)
    }
}

fn log_unrouted(path: &str, status: u16, started: Instant) {
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::warn!(route = path, status, latency_ms, "not handled");
}

fn into_hyper(response: webhook_endpoint::Response<Body>) -> Response<Full<Bytes>> {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        other => Bytes::copy_from_slice(&other),
    };
    Response::from_parts(parts, Full::new(bytes))
}

/// Serves HTTP/1.1 on `listener` until the process ends.
pub async fn serve(listener: TcpListener, router: Router) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let router = router.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let router = router.clone();
                async move { Ok::<_, std::convert::Infallible>(router.handle(request).await) }
            });
            if let Err(error) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!("connection closed with error: {error}");
            }
        });
    }
}
