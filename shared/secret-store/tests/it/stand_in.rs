//! A loopback stand-in of Secrets Manager's GetSecretValue, in its JSON protocol (awsJson1_1:
//! `X-Amz-Target: secretsmanager.GetSecretValue`): it answers the secret's current text, or
//! 503 while `down`, and counts the reads.

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

pub const SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:webhooks-rossum-AbCdEf";

#[derive(Default)]
struct State {
    text: String,
    down: bool,
    reads: usize,
    malformed: Vec<String>,
}

#[derive(Clone)]
pub struct SecretsManagerStandIn {
    state: Arc<Mutex<State>>,
    pub url: String,
}

impl SecretsManagerStandIn {
    pub async fn start(text: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            text: text.to_owned(),
            ..State::default()
        }));
        let served = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
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

    /// The secret's new current text (a rotation).
    pub fn put(&self, text: &str) {
        self.state.lock().unwrap().text = text.to_owned();
    }

    pub fn set_down(&self, down: bool) {
        self.state.lock().unwrap().down = down;
    }

    pub fn reads(&self) -> usize {
        self.state.lock().unwrap().reads
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
    let asked: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut state = state.lock().unwrap();
    if target != "secretsmanager.GetSecretValue"
        || content_type != "application/x-amz-json-1.1"
        || !signed
    {
        state
            .malformed
            .push(format!("{target} {content_type} signed={signed}"));
        return Ok(reply(400, json!({"__type": "InvalidRequestException"})));
    }
    state.reads += 1;
    if state.down {
        return Ok(reply(
            503,
            json!({"__type": "ServiceUnavailableException", "Message": "stand-in down"}),
        ));
    }
    if asked["SecretId"] != SECRET_ARN {
        return Ok(reply(
            400,
            json!({"__type": "ResourceNotFoundException", "Message": "Secrets Manager can't find the specified secret."}),
        ));
    }
    Ok(reply(
        200,
        json!({
            "ARN": SECRET_ARN, "Name": "webhooks-rossum", "SecretString": state.text,
            "VersionId": format!("v{}", state.reads), "VersionStages": ["AWSCURRENT"],
            "CreatedDate": 1795167677.0
        }),
    ))
}

fn reply(status: u16, body: Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}
