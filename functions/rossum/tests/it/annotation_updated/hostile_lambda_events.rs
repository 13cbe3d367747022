//! The built Lambda binary handed API Gateway events a client can shape: a body flagged
//! base64 that is not, a `Host` or `X-Forwarded-Proto` header and a query string that make no
//! URL. Each gets a clear answer, and the process goes on serving the next invocation (a
//! panic would abort it: API Gateway would answer 502 and the next request would cold-start).

use serde_json::{Value, json};
use webhook_test_support::binary::start;
use webhook_test_support::invoke;

use super::lambda_binary::{BINARY, EVENT, NAME};
use crate::support::SECRET_VAR;

fn sample_event() -> Value {
    serde_json::from_slice(EVENT).unwrap()
}

/// The sample delivery as a REST API (v1) proxy event.
fn rest_api_event(body: &str, is_base64_encoded: bool) -> Value {
    let sample = sample_event();
    json!({
        "resource": "/rossum/annotation-content/updated",
        "path": "/rossum/annotation-content/updated",
        "httpMethod": "POST",
        "headers": sample["headers"],
        "requestContext": {"httpMethod": "POST", "stage": "prod", "requestId": "r-1"},
        "body": body,
        "isBase64Encoded": is_base64_encoded
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_events_get_an_answer_and_the_process_keeps_serving() {
    let (api, _process) = start(BINARY, NAME, &[SECRET_VAR]).await;

    for bad in ["%%% not base64", "YQ", "eyJhIjoxfQ==\n"] {
        let mut event = sample_event();
        event["body"] = json!(bad);
        event["isBase64Encoded"] = json!(true);
        let (status, body) = invoke(&api, &serde_json::to_vec(&event).unwrap()).await;
        assert_eq!(status, 400, "{bad:?}: {body}");
        assert_eq!(body["error"], "malformed_body");

        let event = rest_api_event(bad, true);
        let (status, body) = invoke(&api, &serde_json::to_vec(&event).unwrap()).await;
        assert_eq!(status, 400, "REST API, {bad:?}: {body}");
        assert_eq!(body["error"], "malformed_body");
    }

    // The same process answers the genuine delivery afterwards.
    let (status, body) = invoke(&api, EVENT).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["operations"].as_array().unwrap().len(), 2);

    let sample = sample_event();
    let rest = rest_api_event(sample["body"].as_str().unwrap(), false);
    let (status, body) = invoke(&api, &serde_json::to_vec(&rest).unwrap()).await;
    assert_eq!(status, 200, "REST API: {body}");

    let mut hostile_headers = Vec::new();
    for (name, value) in [
        ("host", "a b"),
        ("host", "example.com:99999"),
        ("x-forwarded-proto", "a b"),
        ("x-forwarded-proto", ""),
    ] {
        let mut event = sample_event();
        event["headers"][name] = json!(value);
        hostile_headers.push((format!("{name}: {value:?}"), event));
    }
    let mut odd_url = sample_event();
    odd_url["rawQueryString"] = json!("a=\"{x}\" \u{1}");
    hostile_headers.push(("query string".to_owned(), odd_url));
    for (what, event) in hostile_headers {
        let (status, body) = invoke(&api, &serde_json::to_vec(&event).unwrap()).await;
        assert_eq!(status, 200, "{what}: {body}");
        assert_eq!(body["operations"].as_array().unwrap().len(), 2, "{what}");
    }
}
