//! A minimal Lambda Runtime API (the `2018-06-01` interface the AWS runtime serves) on
//! loopback, so tests can start a real function binary and invoke it exactly as Lambda does:
//! the binary polls `invocation/next`, gets the event, and posts its response or error.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, mpsc, oneshot};

const API_PREFIX: &str = "/2018-06-01/runtime";

/// What the function posted back for one invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Posted to `invocation/{id}/response`.
    Response(Value),
    /// Posted to `invocation/{id}/error` (or `init/error`).
    Error(Value),
}

struct Shared {
    next_events: Mutex<mpsc::UnboundedReceiver<(String, Vec<u8>)>>,
    waiting: std::sync::Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    init_error: std::sync::Mutex<Option<Value>>,
}

/// A running Runtime API; dropped with the test's tokio runtime.
pub struct RuntimeApi {
    address: SocketAddr,
    queue: mpsc::UnboundedSender<(String, Vec<u8>)>,
    shared: Arc<Shared>,
    counter: AtomicU64,
}

impl RuntimeApi {
    /// Starts serving on `127.0.0.1` at a free port.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (queue, receiver) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            next_events: Mutex::new(receiver),
            waiting: std::sync::Mutex::new(HashMap::new()),
            init_error: std::sync::Mutex::new(None),
        });
        let server_shared = shared.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = server_shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| route(shared.clone(), request));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self {
            address,
            queue,
            shared,
            counter: AtomicU64::new(0),
        })
    }

    /// `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.address.to_string()
    }

    /// Queues `event` for the function and waits (up to `timeout`) for what it posts back.
    pub async fn invoke(&self, event: &[u8], timeout: Duration) -> Result<Outcome, String> {
        let id = format!(
            "stub-request-{}",
            self.counter.fetch_add(1, Ordering::Relaxed)
        );
        let (sender, receiver) = oneshot::channel();
        self.shared
            .waiting
            .lock()
            .unwrap()
            .insert(id.clone(), sender);
        self.queue
            .send((id.clone(), event.to_vec()))
            .map_err(|e| e.to_string())?;
        match tokio::time::timeout(timeout, receiver).await {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(_)) => Err(format!("invocation {id} was dropped")),
            Err(_) => Err(format!(
                "no answer to {id} within {timeout:?} (init error: {:?})",
                self.shared.init_error.lock().unwrap()
            )),
        }
    }

    /// Starts `binary` as Lambda would, pointed at this Runtime API. The child is killed
    /// when the returned guard is dropped.
    pub fn spawn_function(
        &self,
        binary: &Path,
        function_name: &str,
        env: &[(&str, &str)],
    ) -> std::io::Result<FunctionProcess> {
        let mut command = Command::new(binary);
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", self.address())
            .env("AWS_LAMBDA_FUNCTION_NAME", function_name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env(
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{function_name}"),
            )
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "stub")
            .env("AWS_REGION", "us-east-1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        Ok(FunctionProcess(Some(command.spawn()?)))
    }
}

/// A function process started by [`RuntimeApi::spawn_function`].
pub struct FunctionProcess(Option<Child>);

impl FunctionProcess {
    /// Stops the process and returns everything it wrote (stdout, then stderr).
    pub fn stop(mut self) -> String {
        let mut child = self.0.take().expect("process is present until stopped");
        let _ = child.kill();
        let output = child.wait_with_output().expect("function process output");
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    }
}

impl Drop for FunctionProcess {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn route(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let body = request.into_body().collect().await?.to_bytes();
    let Some(rest) = path.strip_prefix(API_PREFIX) else {
        return Ok(status_only(StatusCode::NOT_FOUND));
    };
    if method == Method::GET && rest == "/invocation/next" {
        let Some((id, event)) = shared.next_events.lock().await.recv().await else {
            return Ok(status_only(StatusCode::GONE));
        };
        let deadline =
            SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_secs(30);
        let response = Response::builder()
            .header("content-type", "application/json")
            .header("lambda-runtime-aws-request-id", &id)
            .header(
                "lambda-runtime-deadline-ms",
                deadline.as_millis().to_string(),
            )
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:123456789012:function:stub",
            )
            .body(Full::new(Bytes::from(event)))
            .expect("valid response");
        return Ok(response);
    }
    if method == Method::POST && rest == "/init/error" {
        *shared.init_error.lock().unwrap() = Some(parse(&body));
        return Ok(status_only(StatusCode::ACCEPTED));
    }
    if method == Method::POST
        && let Some(tail) = rest.strip_prefix("/invocation/")
    {
        let outcome = match tail.rsplit_once('/') {
            Some((id, "response")) => Some((id, Outcome::Response(parse(&body)))),
            Some((id, "error")) => Some((id, Outcome::Error(parse(&body)))),
            _ => None,
        };
        if let Some((id, outcome)) = outcome {
            if let Some(sender) = shared.waiting.lock().unwrap().remove(id) {
                let _ = sender.send(outcome);
            }
            return Ok(status_only(StatusCode::ACCEPTED));
        }
    }
    Ok(status_only(StatusCode::NOT_FOUND))
}

fn parse(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

fn status_only(status: StatusCode) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .body(Full::new(Bytes::new()))
        .expect("valid response")
}

/// What a function answered to an API Gateway event: the proxy response's parts.
#[derive(Debug, Clone)]
pub struct ProxyResponse {
    pub status: u16,
    pub headers: Value,
    /// The body parsed as JSON (every webhook answer is JSON).
    pub body: Value,
}

impl RuntimeApi {
    /// Invokes with an API Gateway event and reads the proxy response, failing the test when
    /// the function reports an error or answers something else.
    pub async fn invoke_http(&self, event: &[u8]) -> ProxyResponse {
        match self
            .invoke(event, Duration::from_secs(30))
            .await
            .expect("the function answers")
        {
            Outcome::Response(response) => {
                let status = response["statusCode"].as_u64().expect("a proxy response") as u16;
                assert_eq!(
                    response["isBase64Encoded"], false,
                    "JSON answers go out as text"
                );
                let text = response["body"].as_str().expect("a body");
                let body =
                    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
                ProxyResponse {
                    status,
                    headers: response["headers"].clone(),
                    body,
                }
            }
            Outcome::Error(error) => {
                panic!("the function reported an error instead of answering: {error}")
            }
        }
    }
}

/// An API Gateway HTTP API (v2) event for `POST route` with these headers and this body, as
/// API Gateway hands it to a function (header names lower-cased, `$default` stage).
pub fn api_gateway_event(route: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut header_map = serde_json::Map::new();
    header_map.insert("content-type".into(), "application/json".into());
    header_map.insert(
        "host".into(),
        "abc123defg.execute-api.eu-west-1.amazonaws.com".into(),
    );
    for (name, value) in headers {
        header_map.insert(name.to_ascii_lowercase(), (*value).into());
    }
    let event = serde_json::json!({
        "version": "2.0",
        "routeKey": format!("POST {route}"),
        "rawPath": route,
        "rawQueryString": "",
        "headers": header_map,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123defg",
            "domainName": "abc123defg.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "abc123defg",
            "http": {
                "method": "POST",
                "path": route,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": "webhook-sender"
            },
            "requestId": "Bx1yZhFgDoEEMkw=",
            "routeKey": format!("POST {route}"),
            "stage": "$default",
            "time": "20/Nov/2026:09:41:17 +0000",
            "timeEpoch": 1795167677612u64
        },
        "body": std::str::from_utf8(body).expect("webhook bodies are UTF-8 JSON"),
        "isBase64Encoded": false
    });
    serde_json::to_vec(&event).expect("events serialise")
}
