//! The local server: every webhook function on one port, at the same paths as the deployed
//! HTTP API, through the very `Endpoint` values the Lambda binaries run.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use webhook_endpoint::{Body, Endpoint, EndpointConfig, WebhookError, json_response};

/// The sample vendor master file, built in so the server works from any directory.
pub const SAMPLE_VENDORS_CSV: &str = include_str!("../../../events/master-data/vendors.csv");

pub use webhook_function::{Background, Dependencies, Function, Platform, Worker};

/// The registry: every function served at a route, platform by platform. A new function is
/// added to its platform's `FUNCTIONS`.
pub fn functions() -> impl Iterator<Item = &'static Function> {
    rossum_functions::FUNCTIONS
        .into_iter()
        .chain(inkit_functions::FUNCTIONS)
        .chain(contractfit_functions::FUNCTIONS)
}

/// Every function an event source drives.
pub fn workers() -> impl Iterator<Item = &'static Worker> {
    inkit_functions::WORKERS
        .into_iter()
        .chain(downstream_functions::WORKERS)
}

/// Every function's endpoint, built from `config` and `deps`.
pub fn endpoints(config: &EndpointConfig, deps: &Dependencies) -> Vec<Endpoint> {
    functions()
        .map(|function| function.build(config, deps))
        .collect()
}

/// The function registry as scripts and tests read it (`local-server --list-functions
/// --json`): every function (name, platform, route, whether it is guarded, what a delivery
/// stores) and every worker, each with its sample event, and for a routed function its raw
/// payload and what the tests expect of it under `events/payloads/`.
pub fn function_list() -> serde_json::Value {
    let mut functions: Vec<serde_json::Value> = functions()
        .map(|f| {
            json!({
                "name": f.name,
                "platform": f.platform.name(),
                "route": f.route,
                "guarded": f.guarded(),
                "stores": f.stores,
                "event": format!("events/{}.json", f.name),
                "payload": format!("events/payloads/{}.json", f.name),
                "expect": format!("events/payloads/{}.expect.json", f.name),
            })
        })
        .collect();
    functions.extend(workers().map(|w| {
        json!({
            "name": w.name,
            "platform": w.platform.as_ref().map_or("all", Platform::name),
            "route": null,
            "source": w.source,
            "event": format!("events/{}.json", w.name),
            "payload": null,
            "expect": null,
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
        // Takes the collected buffer over when nothing else holds it, rather than copying it.
        let request = webhook_endpoint::Request::from_parts(parts, Body::Binary(Vec::from(body)));
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
