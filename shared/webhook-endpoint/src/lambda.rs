//! The Lambda side of an endpoint: an API Gateway (REST v1, HTTP API v2) or ALB event in, the
//! matching proxy response out.
//!
//! lambda_http's own event conversion panics on input the client controls: a body flagged
//! `isBase64Encoded` that is not base64, a `Host` or `X-Forwarded-Proto` header or a query
//! string that do not make a URL. With `panic = "abort"` that kills the process and API
//! Gateway answers 502. An endpoint reads only the method, headers and body, so this module
//! converts those itself and never fails: an undecodable body is answered 400.

use base64::Engine;
use lambda_http::aws_lambda_events::alb::AlbTargetGroupResponse;
use lambda_http::aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayV2httpResponse};
use lambda_http::http::{HeaderMap, Method, Uri};
use lambda_http::lambda_runtime::{self, LambdaEvent};
use lambda_http::request::LambdaRequest;
use lambda_http::{Context, RequestExt};
use serde::Serialize;

use crate::endpoint::UndecodableBody;
use crate::{Body, Endpoint, Request, Response};

/// Serves `endpoint` through the Lambda Runtime API until the process is stopped.
pub async fn run_lambda(endpoint: Endpoint) -> Result<(), lambda_http::Error> {
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: LambdaEvent<LambdaRequest>| {
            let endpoint = endpoint.clone();
            async move { Ok::<_, lambda_http::Error>(answer(&endpoint, event).await) }
        },
    ))
    .await
}

/// Serves an event source that is not HTTP (a DynamoDB stream, a queue) through the Lambda
/// Runtime API: each event is read as `E` and answered with `R`, the handler given the
/// invocation's request id for its log; an `Err` is reported as the invocation's error, which
/// the event source retries.
pub async fn run_lambda_events<E, R, F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    E: serde::de::DeserializeOwned + Send + 'static,
    R: Serialize + Send + 'static,
    F: Fn(E, String) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<R, String>> + Send + 'static,
{
    lambda_runtime::run(lambda_runtime::service_fn(move |event: LambdaEvent<E>| {
        let answer = handler(event.payload, event.context.request_id);
        async move { answer.await.map_err(lambda_http::Error::from) }
    }))
    .await
}

/// Handles one event; every outcome, a refusal included, is a proxy response.
async fn answer(endpoint: &Endpoint, event: LambdaEvent<LambdaRequest>) -> ProxyResponse {
    let LambdaEvent { payload, context } = event;
    let (origin, request) = into_request(payload, context);
    origin.response(endpoint.handle(request).await)
}

/// Which front end sent the event, and so which response shape it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    RestApi,
    HttpApi,
    Alb,
}

/// What an endpoint reads of an event.
struct EventParts {
    method: Method,
    path: Option<String>,
    headers: HeaderMap,
    body: Option<String>,
    is_base64_encoded: bool,
}

fn into_request(payload: LambdaRequest, context: Context) -> (Origin, Request) {
    let (origin, parts) = match payload {
        LambdaRequest::ApiGatewayV1(event) => {
            // As lambda_http does: single-value headers win over their multi-value copies.
            let mut headers = event.multi_value_headers;
            headers.extend(event.headers);
            let parts = EventParts {
                method: event.http_method,
                path: event.path,
                headers,
                body: event.body,
                is_base64_encoded: event.is_base64_encoded,
            };
            (Origin::RestApi, parts)
        }
        LambdaRequest::ApiGatewayV2(event) => {
            let parts = EventParts {
                method: event.request_context.http.method,
                path: event.raw_path,
                headers: event.headers,
                body: event.body,
                is_base64_encoded: event.is_base64_encoded,
            };
            (Origin::HttpApi, parts)
        }
        LambdaRequest::Alb(event) => {
            let mut headers = event.multi_value_headers;
            headers.extend(event.headers);
            let parts = EventParts {
                method: event.http_method,
                path: event.path,
                headers,
                body: event.body,
                is_base64_encoded: event.is_base64_encoded,
            };
            (Origin::Alb, parts)
        }
        // Sources whose lambda_http features are off never deserialise; an empty request is
        // refused by verification like any unsigned one.
        _ => (
            Origin::HttpApi,
            EventParts {
                method: Method::POST,
                path: None,
                headers: HeaderMap::new(),
                body: None,
                is_base64_encoded: false,
            },
        ),
    };
    let (body, undecodable) = match (parts.body, parts.is_base64_encoded) {
        (None, _) => (Body::Empty, false),
        (Some(text), false) => (Body::Text(text), false),
        (Some(encoded), true) => match base64::engine::general_purpose::STANDARD.decode(encoded) {
            Ok(bytes) => (Body::Binary(bytes), false),
            Err(_) => (Body::Empty, true),
        },
    };
    let mut request = Request::new(body);
    *request.method_mut() = parts.method;
    // Only logs could use the path (API Gateway has routed already): an odd one is dropped.
    *request.uri_mut() = parts
        .path
        .and_then(|path| Uri::try_from(path).ok())
        .unwrap_or_default();
    *request.headers_mut() = parts.headers;
    if undecodable {
        request.extensions_mut().insert(UndecodableBody);
    }
    (origin, request.with_lambda_context(context))
}

/// A proxy response in the shape its front end reads.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum ProxyResponse {
    RestApi(ApiGatewayProxyResponse),
    HttpApi(ApiGatewayV2httpResponse),
    Alb(AlbTargetGroupResponse),
}

impl Origin {
    /// As lambda_http shapes it: REST APIs merge `headers` into `multiValueHeaders`, so
    /// headers go only there; an ALB reads one or the other, as its target group says.
    fn response(self, response: Response<Body>) -> ProxyResponse {
        let (parts, body) = response.into_parts();
        let (is_base64_encoded, body) = match body {
            Body::Empty => (false, None),
            Body::Binary(bytes) => (true, Some(Body::Binary(bytes))),
            text => (false, Some(text)),
        };
        let status_code = i64::from(parts.status.as_u16());
        match self {
            Origin::RestApi => {
                let mut proxy = ApiGatewayProxyResponse::default();
                proxy.status_code = status_code;
                proxy.multi_value_headers = parts.headers;
                proxy.body = body;
                proxy.is_base64_encoded = is_base64_encoded;
                ProxyResponse::RestApi(proxy)
            }
            Origin::HttpApi => {
                let mut proxy = ApiGatewayV2httpResponse::default();
                proxy.status_code = status_code;
                proxy.headers = parts.headers;
                proxy.body = body;
                proxy.is_base64_encoded = is_base64_encoded;
                ProxyResponse::HttpApi(proxy)
            }
            Origin::Alb => {
                let mut proxy = AlbTargetGroupResponse::default();
                proxy.status_code = status_code;
                proxy.status_description = Some(format!(
                    "{} {}",
                    parts.status.as_u16(),
                    parts.status.canonical_reason().unwrap_or_default()
                ));
                proxy.headers = parts.headers.clone();
                proxy.multi_value_headers = parts.headers;
                proxy.body = body;
                proxy.is_base64_encoded = is_base64_encoded;
                ProxyResponse::Alb(proxy)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use webhook_verify::{RossumVerifier, SecretSet};

    use crate::{Verifier, json_response};

    /// An endpoint that echoes the verified body's length, signed with the secret "s".
    fn echo_endpoint() -> Endpoint {
        let secrets = SecretSet::from_values(Some("s"), None);
        Endpoint::new(
            "echo",
            "/echo",
            Verifier::Rossum(RossumVerifier::new(secrets)),
            |delivery| async move {
                Ok(json_response(
                    200,
                    &json!({"length": delivery.body().len()}),
                ))
            },
        )
    }

    fn signature(body: &[u8]) -> String {
        let mac = webhook_verify::hmac_sha256(b"s", body);
        format!(
            "sha256={}",
            mac.iter().map(|b| format!("{b:02x}")).collect::<String>()
        )
    }

    async fn answer_json(event: Value) -> Value {
        let payload: LambdaRequest = serde_json::from_value(event).expect("a known event shape");
        let event = LambdaEvent::new(payload, Context::default());
        serde_json::to_value(answer(&echo_endpoint(), event).await).unwrap()
    }

    fn http_api_event(headers: Value, body: &str, base64: bool) -> Value {
        json!({
            "version": "2.0",
            "routeKey": "POST /echo",
            "rawPath": "/echo",
            "rawQueryString": "",
            "headers": headers,
            "requestContext": {
                "http": {"method": "POST", "path": "/echo"},
                "stage": "$default",
                "requestId": "r1"
            },
            "body": body,
            "isBase64Encoded": base64
        })
    }

    fn rest_api_event(body: &str, base64: bool) -> Value {
        json!({
            "resource": "/echo",
            "path": "/echo",
            "httpMethod": "POST",
            "headers": {"content-type": "application/json"},
            "multiValueHeaders": {"content-type": ["application/json"]},
            "requestContext": {"httpMethod": "POST", "stage": "prod", "requestId": "r1"},
            "body": body,
            "isBase64Encoded": base64
        })
    }

    fn alb_event(body: &str, base64: bool) -> Value {
        json!({
            "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/1"}},
            "httpMethod": "POST",
            "path": "/echo",
            "headers": {"content-type": "application/json"},
            "body": body,
            "isBase64Encoded": base64
        })
    }

    fn error_code(response: &Value) -> Value {
        let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
        body["error"].clone()
    }

    #[tokio::test]
    async fn an_undecodable_base64_body_is_400_in_every_front_ends_shape() {
        for bad in ["%%% not base64", "YQ", "YQ==\n"] {
            let http = answer_json(http_api_event(json!({}), bad, true)).await;
            assert_eq!(http["statusCode"], 400, "{bad:?}: {http}");
            assert_eq!(http["headers"]["content-type"], "application/json");
            assert_eq!(http["isBase64Encoded"], false);
            assert_eq!(error_code(&http), "malformed_body");

            let rest = answer_json(rest_api_event(bad, true)).await;
            assert_eq!(rest["statusCode"], 400, "{rest}");
            assert_eq!(
                rest["multiValueHeaders"]["content-type"],
                json!(["application/json"])
            );
            assert_eq!(error_code(&rest), "malformed_body");

            let alb = answer_json(alb_event(bad, true)).await;
            assert_eq!(alb["statusCode"], 400, "{alb}");
            assert_eq!(alb["statusDescription"], "400 Bad Request");
            assert_eq!(alb["headers"]["content-type"], "application/json");
            assert_eq!(error_code(&alb), "malformed_body");
        }
    }

    #[tokio::test]
    async fn a_valid_base64_body_is_verified_over_its_decoded_bytes() {
        let body = "{\"a\":1}";
        let headers = json!({"x-rossum-signature-sha256": signature(body.as_bytes())});
        // "{\"a\":1}" in standard base64.
        let answer = answer_json(http_api_event(headers, "eyJhIjoxfQ==", true)).await;
        assert_eq!(answer["statusCode"], 200, "{answer}");
        let echoed: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
        assert_eq!(echoed["length"], body.len());
    }

    #[tokio::test]
    async fn headers_and_query_strings_that_make_no_url_are_served() {
        let body = "{}";
        let hostile = [
            ("host", "a b"),
            ("host", "example.com:99999"),
            ("x-forwarded-proto", "a b"),
            ("x-forwarded-proto", ""),
        ];
        for (name, value) in hostile {
            let mut headers = json!({"x-rossum-signature-sha256": signature(body.as_bytes())});
            headers[name] = json!(value);
            let answer = answer_json(http_api_event(headers, body, false)).await;
            assert_eq!(answer["statusCode"], 200, "{name}: {value:?}: {answer}");
        }
        let headers = json!({"x-rossum-signature-sha256": signature(body.as_bytes())});
        let mut event = http_api_event(headers, body, false);
        event["rawQueryString"] = json!("a=\"{x}\" \u{1}");
        event["rawPath"] = json!("/a b");
        let answer = answer_json(event).await;
        assert_eq!(answer["statusCode"], 200, "{answer}");
    }
}
