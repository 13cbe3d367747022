//! A scripted Inkit API on loopback, for the tests of what calls Inkit.
//!
//! Kept instead of wiremock, which records no arrival times (the retry tests measure pauses).
//!
//! It serves `GET /v1/document/{id}`: each request takes the next queued [`Reply`], or the
//! default one when the queue is empty, and is recorded. A request without the expected
//! API token is answered 401, as Inkit does.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use inkit_client::{API_TOKEN_HEADER, ApiToken, InkitConfig};

/// The API token the stand-in expects unless told otherwise.
pub const STAND_IN_TOKEN: &str = "stand-in-inkit-api-token";

/// How the stand-in answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with [`sample_document`] for the requested id.
    Document,
    /// `status` with this JSON body.
    Json(u16, Value),
    /// `status` with this body, as `text/plain`.
    Text(u16, String),
    /// 429 with `Retry-After: <value>`.
    RateLimited { retry_after: String },
    /// Never answers (the connection stays open).
    Hang,
}

/// One request the stand-in received.
#[derive(Debug, Clone)]
pub struct ReceivedRequest {
    pub method: String,
    pub path: String,
    /// Whether `X-Inkit-API-Token` held the expected token (the value is not kept).
    pub authorized: bool,
    pub at: Instant,
}

#[derive(Debug)]
struct State {
    queue: VecDeque<Reply>,
    default: Reply,
    token: String,
    received: Vec<ReceivedRequest>,
}

/// A running stand-in; it stops with the test's tokio runtime.
#[derive(Clone)]
pub struct InkitStandIn {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl InkitStandIn {
    /// Starts serving on `127.0.0.1` at a free port; by default every document exists.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let address = listener.local_addr().expect("bound address");
        let state = Arc::new(Mutex::new(State {
            queue: VecDeque::new(),
            default: Reply::Document,
            token: STAND_IN_TOKEN.to_owned(),
            received: Vec::new(),
        }));
        let server_state = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = server_state.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| answer(state.clone(), request));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { address, state }
    }

    /// The base URL to configure (`http://127.0.0.1:<port>/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.address)
    }

    /// A client configuration pointing here with the expected token, and short timeouts so
    /// tests of hangs stay fast.
    pub fn config(&self, attempt_timeout: Duration, deadline: Duration) -> InkitConfig {
        let mut config = InkitConfig::new(self.base_url(), ApiToken::new(STAND_IN_TOKEN));
        config.attempt_timeout = attempt_timeout;
        config.deadline = deadline;
        config.initial_backoff = Duration::from_millis(20);
        config.max_backoff = Duration::from_millis(100);
        config
    }

    /// Answers the next request with `reply` (after those queued before it).
    pub fn then(&self, reply: Reply) -> &Self {
        self.state().queue.push_back(reply);
        self
    }

    /// Answers every request with `reply` once the queue is empty.
    pub fn by_default(&self, reply: Reply) -> &Self {
        self.state().default = reply;
        self
    }

    /// Every request so far, in order.
    pub fn received(&self) -> Vec<ReceivedRequest> {
        self.state().received.clone()
    }

    /// How many requests arrived so far.
    pub fn request_count(&self) -> usize {
        self.state().received.len()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The document the stand-in serves for `id`: every documented field, and one more.
pub fn sample_document(id: &str) -> Value {
    json!({
        "id": id,
        "name": "Welcome letter - Jane Doe",
        "description": "Generated from the onboarding template",
        "status": "completed",
        "render_id": "rend_4kXq9r2ZbT0mP1aW8sYcDe",
        "folder_id": "fold_7Hs3LmQ0vNp2Rt5Uw9XyZa",
        "created_at": "2026-11-20T09:52:41.512Z",
        "created_by": {"first_name": "Jane", "last_name": "Doe", "name": "Jane Doe"},
        "expire_at": null,
        "expire_after_n_views": null,
        "expire_views_left": null,
        "page_count": 2
    })
}

async fn answer(
    state: Arc<Mutex<State>>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    let (reply, authorized) = {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        let authorized = request
            .headers()
            .get(API_TOKEN_HEADER)
            .is_some_and(|v| v.as_bytes() == state.token.as_bytes());
        state.received.push(ReceivedRequest {
            method: request.method().to_string(),
            path: path.clone(),
            authorized,
            at: Instant::now(),
        });
        let reply = state
            .queue
            .pop_front()
            .unwrap_or_else(|| state.default.clone());
        (reply, authorized)
    };
    let Some(id) = path.strip_prefix("/v1/document/") else {
        return Ok(json_response(404, &json!({"error": "Not found"})));
    };
    if !authorized {
        return Ok(json_response(401, &json!({"error": "Invalid API token"})));
    }
    Ok(match reply {
        Reply::Document => json_response(200, &sample_document(id)),
        Reply::Json(status, body) => json_response(status, &body),
        Reply::Text(status, body) => Response::builder()
            .status(status)
            .header("content-type", "text/plain")
            .body(Full::new(Bytes::from(body)))
            .expect("valid response"),
        Reply::RateLimited { retry_after } => Response::builder()
            .status(429)
            .header("content-type", "application/json")
            .header("retry-after", retry_after)
            .body(Full::new(Bytes::from_static(
                b"{\"error\":\"Too many requests\"}",
            )))
            .expect("valid response"),
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            json_response(504, &json!({}))
        }
    })
}

fn json_response(status: u16, body: &Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("valid response")
}
