//! The one path every webhook request takes, in a Lambda or in the local server:
//! raw bytes and headers -> size check -> signature verification -> the function's handler
//! -> response, with errors mapped to statuses in one place and one log line per request.
//!
//! Function crates build an [`Endpoint`] from a [`Verifier`] and a handler; their `main`
//! hands it to [`run_lambda`], and the local server serves the same value over HTTP.

mod batch;
mod config;
mod endpoint;
mod error;
pub mod inkit;
mod lambda;
pub mod rossum;

pub use batch::{BatchResponse, ItemFailure};
pub use config::{
    DEFAULT_MAX_BODY_BYTES, DevelopmentSecret, EndpointConfig, RECOMMENDED_MAX_EVENT_AGE,
    SecretSource, env_names,
};
pub use endpoint::{Delivery, Endpoint, Replayed, Verifier, VerifierFuture, VerifierSource};
pub use error::{WebhookError, parse_json};
pub use lambda::{run_lambda, run_lambda_events};

pub use lambda_http::{Body, Error as LambdaError, Request, Response};

/// JSON or text logs as Lambda's advanced logging controls ask (`AWS_LAMBDA_LOG_FORMAT`,
/// `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`, else INFO).
pub fn init_tracing() {
    lambda_http::tracing::init_default_subscriber();
}

/// A JSON response with `status`.
pub fn json_response(status: u16, body: &impl serde::Serialize) -> Response<Body> {
    // Text, not Binary: lambda_http would base64-encode a binary body for API Gateway.
    let text = serde_json::to_string(body).expect("response types serialise infallibly");
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(text))
        .expect("status and header are valid")
}
