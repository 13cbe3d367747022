use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use lambda_http::RequestExt;
use lambda_http::http::HeaderMap;
use webhook_verify::{
    ContractFitVerifier, InkitVerifier, RossumVerifier, SecretSet, Verified, VerifyError,
};

use crate::{Body, Request, Response, WebhookError};

/// How an endpoint authenticates deliveries: one platform's scheme.
#[derive(Debug, Clone)]
pub enum Verifier {
    Rossum(RossumVerifier),
    Inkit(InkitVerifier),
    ContractFit(ContractFitVerifier),
}

impl Verifier {
    /// The platform whose scheme this is: `rossum`, `inkit` or `contractfit`.
    pub fn platform(&self) -> &'static str {
        match self {
            Verifier::Rossum(_) => "rossum",
            Verifier::Inkit(_) => "inkit",
            Verifier::ContractFit(_) => "contractfit",
        }
    }

    /// The same verifier with other secrets: those a secret store holds now.
    pub fn with_secrets(&self, secrets: Option<SecretSet>) -> Self {
        match self {
            Verifier::Rossum(v) => Verifier::Rossum(v.with_secrets(secrets)),
            Verifier::Inkit(v) => Verifier::Inkit(v.with_secrets(secrets)),
            Verifier::ContractFit(v) => Verifier::ContractFit(v.with_secrets(secrets)),
        }
    }

    fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Verified, VerifyError> {
        match self {
            Verifier::Rossum(v) => v.verify(headers, body),
            Verifier::Inkit(v) => v.verify(headers, body),
            Verifier::ContractFit(v) => v.verify(headers),
        }
    }
}

/// A request whose signature has been checked. Only [`Endpoint`] makes one, so a handler
/// cannot see bytes that were not verified.
#[derive(Debug)]
pub struct Delivery {
    headers: HeaderMap,
    body: Vec<u8>,
    verified: Verified,
}

impl Delivery {
    /// The raw body exactly as it was verified.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub fn verified(&self) -> Verified {
        self.verified
    }
}

/// Marks a request whose body arrived flagged base64-encoded but was not base64: there are no
/// bytes to verify, so it is refused before verification.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UndecodableBody;

type HandlerFuture = Pin<Box<dyn Future<Output = Result<Response<Body>, WebhookError>> + Send>>;
type Handler = dyn Fn(Delivery) -> HandlerFuture + Send + Sync;

/// One webhook function: its name, its route, how it verifies, and what it does.
#[derive(Clone)]
pub struct Endpoint {
    function: &'static str,
    route: &'static str,
    verifier: Verifier,
    /// Where the secrets are read at run time, when they are not the configuration's.
    secrets: Option<Arc<dyn VerifierSource>>,
    max_body_bytes: usize,
    handler: Arc<Handler>,
}

/// A future of a verifier source.
pub type VerifierFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Verifiers whose secrets are read at run time (a secret store, cached by the source).
pub trait VerifierSource: Send + Sync {
    /// The verifier of the secrets held now; `Err` (why) when none can be had: the delivery
    /// is answered 503 with `Retry-After`, never accepted unverified.
    fn current(&self) -> VerifierFuture<'_, Result<Arc<Verifier>, String>>;

    /// After a delivery failed verification: the verifier of newer secrets, if the store
    /// holds other ones and may be asked now (the source limits how often), else `None`.
    fn refreshed(&self) -> VerifierFuture<'_, Option<Arc<Verifier>>>;
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("function", &self.function)
            .field("route", &self.route)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    pub fn new<F, Fut>(
        function: &'static str,
        route: &'static str,
        verifier: Verifier,
        handler: F,
    ) -> Self
    where
        F: Fn(Delivery) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response<Body>, WebhookError>> + Send + 'static,
    {
        Self {
            function,
            route,
            verifier,
            secrets: None,
            max_body_bytes: crate::DEFAULT_MAX_BODY_BYTES,
            handler: Arc::new(move |delivery| Box::pin(handler(delivery))),
        }
    }

    /// Reads the secrets from `source` at run time instead of the configuration's; the
    /// configured verifier's other settings (replay window, legacy scheme, header) stay.
    pub fn with_verifier_source(mut self, source: Arc<dyn VerifierSource>) -> Self {
        self.secrets = Some(source);
        self
    }

    /// The verifier whose secrets source must build on (its settings, no secrets needed).
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// The function's name, as its binary and template resource are named.
    pub fn function(&self) -> &'static str {
        self.function
    }

    /// The HTTP path it is served at, deployed and locally.
    pub fn route(&self) -> &'static str {
        self.route
    }

    /// The platform that sends its deliveries.
    pub fn platform(&self) -> &'static str {
        self.verifier.platform()
    }

    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// Handles one request, logs one line about it and, in Lambda, emits its metrics. Never
    /// fails: every error becomes a response with the status [`WebhookError::status`] gives it.
    pub async fn handle(&self, request: Request) -> Response<Body> {
        let started = Instant::now();
        let request_id = request.lambda_context_ref().map(|c| c.request_id.clone());
        let outcome = self.process(request).await;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        let request_id = request_id.as_deref().unwrap_or("-");
        let (status, replayed) = match &outcome {
            Ok(response) => (
                response.status().as_u16(),
                response.extensions().get::<Replayed>().is_some(),
            ),
            Err(error) => (error.status(), false),
        };
        emf_metrics::delivery(self.function, status, replayed, latency_ms);
        match outcome {
            Ok(response) => {
                tracing::info!(
                    function = self.function,
                    route = self.route,
                    request_id,
                    status,
                    latency_ms,
                    "handled"
                );
                response
            }
            Err(error) => {
                // Our faults at error level; a sender's mistakes at warn. Neither carries
                // header values or body bytes, so no secret or signature reaches the log.
                // tracing's level is part of each call site's static metadata: one call per level.
                macro_rules! refused {
                    ($level:expr) => {
                        tracing::event!(
                            $level,
                            function = self.function,
                            route = self.route,
                            request_id,
                            status,
                            latency_ms,
                            reason = error.code(),
                            "{error}"
                        )
                    };
                }
                if status >= 500 {
                    refused!(tracing::Level::ERROR);
                } else {
                    refused!(tracing::Level::WARN);
                }
                error.to_response()
            }
        }
    }

    async fn process(&self, request: Request) -> Result<Response<Body>, WebhookError> {
        let (parts, body) = request.into_parts();
        if parts.extensions.get::<UndecodableBody>().is_some() {
            return Err(WebhookError::MalformedBody(
                "the body is flagged base64-encoded but is not valid base64".to_owned(),
            ));
        }
        let body = match body {
            Body::Empty => Vec::new(),
            Body::Text(text) => text.into_bytes(),
            Body::Binary(bytes) => bytes,
            other => other.to_vec(),
        };
        if body.len() > self.max_body_bytes {
            return Err(WebhookError::PayloadTooLarge {
                size: body.len(),
                limit: self.max_body_bytes,
            });
        }
        let verified = match &self.secrets {
            None => self.verifier.verify(&parts.headers, &body)?,
            Some(source) => {
                let verifier = source.current().await.map_err(WebhookError::Unavailable)?;
                match verifier.verify(&parts.headers, &body) {
                    // A rotation the cache has not seen yet: ask the store once more.
                    Err(VerifyError::Mismatch) => match source.refreshed().await {
                        Some(newer) => newer.verify(&parts.headers, &body)?,
                        None => return Err(VerifyError::Mismatch.into()),
                    },
                    other => other?,
                }
            }
        };
        if let Verifier::Rossum(rossum) = &self.verifier
            && let Some(max_age) = rossum.event_age_window()
        {
            // Read only with the window on: when it is off, no delivery pays for it.
            let timestamp = signed_timestamp(&body);
            webhook_verify::check_event_time(timestamp.as_deref(), SystemTime::now(), max_age)?;
        }
        let delivery = Delivery {
            headers: parts.headers,
            body,
            verified,
        };
        (self.handler)(delivery).await
    }
}

/// The top-level `timestamp` of a Rossum body, or `None` when the body is not a JSON object
/// carrying it as a string.
fn signed_timestamp(body: &[u8]) -> Option<Cow<'_, str>> {
    #[derive(serde::Deserialize)]
    struct Stamped<'a> {
        #[serde(borrow)]
        timestamp: Option<Cow<'a, str>>,
    }
    serde_json::from_slice::<Stamped>(body).ok()?.timestamp
}

/// Marks a response as the stored answer of an earlier delivery, replayed: a duplicate in the
/// metrics.
#[derive(Debug, Clone, Copy)]
pub struct Replayed;
