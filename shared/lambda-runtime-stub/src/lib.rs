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
