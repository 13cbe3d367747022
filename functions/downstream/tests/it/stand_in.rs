//! A loopback stand-in of EventBridge's PutEvents, in its JSON protocol (awsJson1_1:
//! `X-Amz-Target: AWSEvents.PutEvents`, `Content-Type: application/x-amz-json-1.1`): it
//! answers each entry with an `EventId` or, where the test says so, an `ErrorCode`, and keeps
//! what it took.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

#[derive(Default)]
struct State {
    /// Entries put, as sent.
    taken: Vec<Value>,
    /// Every request's entry count.
    requests: Vec<usize>,
    /// Per `event_id` of the detail: how many more sends fail, and with which code.
    failing: HashMap<String, (usize, &'static str)>,
    /// How many more requests are refused whole (403 AccessDeniedException).
    denied_requests: usize,
    /// Requests whose target or content type was not PutEvents' own.
    malformed: Vec<String>,
}

#[derive(Clone)]
pub struct EventBridgeStandIn {
    state: Arc<Mutex<State>>,
    pub url: String,
}

impl EventBridgeStandIn {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let served = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let state = served.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| answer(state.clone(), request));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { state, url }
    }

    /// The entry whose detail has `event_id` fails its next `times` sends with `code`.
    pub fn fail(&self, event_id: &str, times: usize, code: &'static str) {
        let mut state = self.state.lock().unwrap();
        state.failing.insert(event_id.to_owned(), (times, code));
    }

    /// The next `times` requests are refused whole.
    pub fn deny_requests(&self, times: usize) {
        self.state.lock().unwrap().denied_requests = times;
    }

    pub fn taken(&self) -> Vec<Value> {
        self.state.lock().unwrap().taken.clone()
    }

    pub fn requests(&self) -> Vec<usize> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn malformed(&self) -> Vec<String> {
        self.state.lock().unwrap().malformed.clone()
    }
}

async fn answer(
    state: Arc<Mutex<State>>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (target, content_type) = (header("x-amz-target"), header("content-type"));
    let signed = header("authorization").starts_with("AWS4-HMAC-SHA256 ");
    let body = request.into_body().collect().await.unwrap().to_bytes();
    let mut state = state.lock().unwrap();
    if target != "AWSEvents.PutEvents" || content_type != "application/x-amz-json-1.1" || !signed {
        state
            .malformed
            .push(format!("{target} {content_type} signed={signed}"));
        return Ok(reply(400, json!({"__type": "UnknownOperationException"})));
    }
    let entries = serde_json::from_slice::<Value>(&body).unwrap()["Entries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    state.requests.push(entries.len());
    if state.denied_requests > 0 {
        state.denied_requests -= 1;
        return Ok(reply(
            403,
            json!({"__type": "AccessDeniedException", "message": "User is not authorized to perform: events:PutEvents"}),
        ));
    }
    let mut answered = Vec::with_capacity(entries.len());
    let mut failed = 0;
    for (n, entry) in entries.into_iter().enumerate() {
        let detail: Value = serde_json::from_str(entry["Detail"].as_str().unwrap_or("{}")).unwrap();
        let event_id = detail["event_id"].as_str().unwrap_or_default().to_owned();
        match state.failing.get_mut(&event_id) {
            Some((times, code)) if *times > 0 => {
                *times -= 1;
                failed += 1;
                answered.push(json!({"ErrorCode": *code, "ErrorMessage": "stand-in failure"}));
            }
            _ => {
                answered.push(json!({"EventId": format!("{}-{n}", state.taken.len())}));
                state.taken.push(entry);
            }
        }
    }
    Ok(reply(
        200,
        json!({"FailedEntryCount": failed, "Entries": answered}),
    ))
}

fn reply(status: u16, body: Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}
