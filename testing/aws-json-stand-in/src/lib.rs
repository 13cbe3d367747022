//! A loopback stand-in of an AWS service that speaks the JSON protocol (awsJson1_1), for the
//! services with no local engine (EventBridge, Secrets Manager). Every call must be a POST
//! with `X-Amz-Target: <prefix><Operation>`, `Content-Type: application/x-amz-json-1.1` and a
//! SigV4 `Authorization` header, as the SDK sends it; anything else is answered 400 and kept
//! in [`AwsJsonStandIn::malformed`]. The test answers each call: operation and JSON input in,
//! status and JSON output out.

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

type Answer = dyn Fn(&str, Value) -> (u16, Value) + Send + Sync;

#[derive(Clone)]
pub struct AwsJsonStandIn {
    pub url: String,
    malformed: Arc<Mutex<Vec<String>>>,
}

impl AwsJsonStandIn {
    /// Serves on a loopback port: `target_prefix` is the service's (`AWSEvents.`,
    /// `secretsmanager.`); `answer` gets each call's operation and input.
    pub async fn start(
        target_prefix: &'static str,
        answer: impl Fn(&str, Value) -> (u16, Value) + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let malformed = Arc::new(Mutex::new(Vec::new()));
        let answer: Arc<Answer> = Arc::new(answer);
        let kept = malformed.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (answer, kept) = (answer.clone(), kept.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        handle(target_prefix, answer.clone(), kept.clone(), request)
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { url, malformed }
    }

    /// The calls that were not the protocol's (target, content type, whether signed).
    pub fn malformed(&self) -> Vec<String> {
        self.malformed.lock().unwrap().clone()
    }
}

async fn handle(
    target_prefix: &str,
    answer: Arc<Answer>,
    malformed: Arc<Mutex<Vec<String>>>,
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
    let operation = target.strip_prefix(target_prefix);
    let (status, output) = match (operation, serde_json::from_slice::<Value>(&body)) {
        (Some(operation), Ok(input)) if content_type == "application/x-amz-json-1.1" && signed => {
            answer(operation, input)
        }
        _ => {
            let call = format!("{target} {content_type} signed={signed}");
            malformed.lock().unwrap().push(call);
            (400, json!({"__type": "UnknownOperationException"}))
        }
    };
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .body(Full::new(Bytes::from(output.to_string())))
        .unwrap())
}
