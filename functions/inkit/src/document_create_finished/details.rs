//! Fetching a recorded document's details from the Inkit API: one attempt (with the client's
//! own retries within its deadline) and what became of it. The webhook makes the first
//! attempt; what is still pending afterwards is retried by someone who can wait: the records
//! table's stream and the `inkit-document-details` worker on AWS, a background task in the
//! local server ([`BackgroundRetry`]).

use std::sync::Arc;
use std::time::Duration;

use inkit_client::{Document, InkitApi, InkitError};
use record_store::{InkitDocumentDetails, InkitRecordStore, Timestamp, details_unavailable};

/// What one attempt at a document's details came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetailsOutcome {
    /// Fetched now and recorded.
    Fetched,
    /// Recorded by an earlier attempt: nothing asked.
    AlreadyFetched,
    /// No API token is configured: nothing to ask with (a warning is logged).
    NotConfigured,
    /// Inkit's answer will not change on a retry (`not_found`, `malformed`): recorded as such.
    Unavailable(&'static str),
    /// No document item: the event was never recorded, so there is nothing to complete.
    NoDocument,
    /// Not had this time (Inkit unreachable or refusing the token, or the records table
    /// failing): worth another attempt later.
    Pending(String),
}

impl DetailsOutcome {
    /// The word the webhook's answer and the logs use.
    pub fn as_str(&self) -> &'static str {
        match self {
            DetailsOutcome::Fetched | DetailsOutcome::AlreadyFetched => "fetched",
            DetailsOutcome::NotConfigured => "not_configured",
            DetailsOutcome::Unavailable(reason) => reason,
            DetailsOutcome::NoDocument => "no_document",
            DetailsOutcome::Pending(_) => "pending",
        }
    }

    /// Whether another attempt could change it.
    pub fn is_pending(&self) -> bool {
        matches!(self, DetailsOutcome::Pending(_))
    }
}

/// Fetches and records the details of `resource_id` unless they are recorded already.
/// Never fails: whatever goes wrong is a [`DetailsOutcome::Pending`] with its reason.
pub async fn complete_details(
    function: &'static str,
    resource_id: &str,
    records: &dyn InkitRecordStore,
    inkit: &dyn InkitApi,
) -> DetailsOutcome {
    match records.inkit_document(resource_id).await {
        Ok(Some(document)) if document.details_fetched => return DetailsOutcome::AlreadyFetched,
        Ok(Some(document)) if document.details_unavailable.is_some() => {
            return DetailsOutcome::Unavailable(unavailable_reason(
                document.details_unavailable.as_deref(),
            ));
        }
        Ok(Some(_)) => {}
        Ok(None) => return DetailsOutcome::NoDocument,
        Err(error) => {
            return DetailsOutcome::Pending(format!("reading the document item: {error}"));
        }
    }
    fetch_details(function, resource_id, records, inkit).await
}

/// Fetches and records the details of `resource_id`, whose event was just recorded for the
/// first time (so without details yet).
pub async fn fetch_details(
    function: &'static str,
    resource_id: &str,
    records: &dyn InkitRecordStore,
    inkit: &dyn InkitApi,
) -> DetailsOutcome {
    let fetched = inkit.document(resource_id).await;
    let outcome = match &fetched {
        Ok(_) => "fetched",
        Err(error) => error.code(),
    };
    emf_metrics::Measurement::of(function)
        .outcome(outcome)
        .by_outcome_alone()
        .metric(emf_metrics::INKIT_FETCHES, emf_metrics::Unit::Count, 1.0)
        .emit();
    match fetched {
        Ok(document) => {
            match records
                .record_inkit_document_details(
                    resource_id,
                    &details_of(document),
                    &Timestamp::now(),
                )
                .await
            {
                Ok(()) => {
                    tracing::info!(function, resource_id, "document details recorded");
                    DetailsOutcome::Fetched
                }
                Err(error) => DetailsOutcome::Pending(format!("recording the details: {error}")),
            }
        }
        Err(InkitError::NotConfigured) => {
            tracing::warn!(
                function,
                resource_id,
                "{} is not set: the event is recorded without the document's details",
                inkit_client::env_names::API_TOKEN
            );
            DetailsOutcome::NotConfigured
        }
        Err(error @ (InkitError::NotFound | InkitError::Malformed(_))) => {
            let reason = match error {
                InkitError::NotFound => details_unavailable::NOT_FOUND,
                _ => details_unavailable::MALFORMED,
            };
            if let Err(store) = records
                .mark_inkit_details_unavailable(resource_id, reason, &Timestamp::now())
                .await
            {
                return DetailsOutcome::Pending(format!("recording that {error}: {store}"));
            }
            // Retrying would not change Inkit's answer: say why in the log, and stop.
            if matches!(error, InkitError::NotFound) {
                tracing::warn!(
                    function,
                    resource_id,
                    "{error}: its details are marked unavailable"
                );
            } else {
                tracing::error!(
                    function,
                    resource_id,
                    "{error}: its details are marked unavailable"
                );
            }
            DetailsOutcome::Unavailable(reason)
        }
        // Unavailable, a refused token, a misconfigured client: worth another attempt once
        // Inkit (or the configuration) is back.
        Err(error) => DetailsOutcome::Pending(error.to_string()),
    }
}

fn unavailable_reason(recorded: Option<&str>) -> &'static str {
    match recorded {
        Some(details_unavailable::NOT_FOUND) => details_unavailable::NOT_FOUND,
        Some(details_unavailable::MALFORMED) => details_unavailable::MALFORMED,
        _ => details_unavailable::GAVE_UP,
    }
}

/// What the records keep of the API's document.
pub fn details_of(document: Document) -> InkitDocumentDetails {
    InkitDocumentDetails {
        id: document.id,
        name: document.name,
        status: document.status,
        render_id: document.render_id,
        folder_id: document.folder_id,
        created_at: document.created_at,
    }
}

/// Who completes the details a delivery could not fetch.
pub trait PendingDetails: Send + Sync {
    /// `resource_id`'s details were not had within the delivery (`reason`).
    fn details_pending(&self, resource_id: &str, reason: &str);
}

/// On AWS: the event item's insertion reaches the `inkit-document-details` worker through
/// the records table's stream, whose event source mapping retries it and, when its attempts
/// are spent, hands it to the dead-letter queue. Nothing to do in the webhook but say so.
#[derive(Debug, Clone, Copy, Default)]
pub struct RetriedFromTheStream;

impl PendingDetails for RetriedFromTheStream {
    fn details_pending(&self, resource_id: &str, reason: &str) {
        tracing::warn!(
            resource_id,
            "document details not fetched ({reason}): the records table's stream hands them \
             to inkit-document-details"
        );
    }
}

/// How [`BackgroundRetry`] spaces its attempts.
#[derive(Debug, Clone, Copy)]
pub struct RetrySchedule {
    /// The pause before the first retry; each later one doubles, up to `max_pause`.
    pub first_pause: Duration,
    pub max_pause: Duration,
    /// Attempts after the delivery's own; then the details are given up, visibly.
    pub attempts: u32,
}

impl Default for RetrySchedule {
    /// About 2 hours of attempts: 1 s, 2 s, 4 s, ... then every 10 minutes.
    fn default() -> Self {
        Self {
            first_pause: Duration::from_secs(1),
            max_pause: Duration::from_secs(600),
            attempts: 20,
        }
    }
}

impl RetrySchedule {
    /// The environment variables [`RetrySchedule::from_env`] reads.
    pub const ATTEMPTS: &'static str = "INKIT_DETAILS_RETRY_ATTEMPTS";
    pub const FIRST_PAUSE_MS: &'static str = "INKIT_DETAILS_RETRY_FIRST_PAUSE_MS";

    /// The default schedule, with `INKIT_DETAILS_RETRY_ATTEMPTS` and
    /// `INKIT_DETAILS_RETRY_FIRST_PAUSE_MS` where set (an unreadable value is logged and left
    /// at its default).
    pub fn from_env() -> Self {
        let mut schedule = Self::default();
        let read = |name: &str| {
            let raw = std::env::var(name).ok()?;
            let parsed = raw.trim().parse::<u32>().ok().filter(|n| *n > 0);
            if parsed.is_none() {
                tracing::warn!("{name} has invalid value {raw:?}; using the default");
            }
            parsed
        };
        if let Some(attempts) = read(Self::ATTEMPTS) {
            schedule.attempts = attempts;
        }
        if let Some(ms) = read(Self::FIRST_PAUSE_MS) {
            schedule.first_pause = Duration::from_millis(u64::from(ms));
        }
        schedule
    }
}

/// The local server's stand-in for the stream and the worker: a background task per pending
/// document that retries with exponential backoff and, when its attempts are spent, marks
/// the details `gave_up` and logs an error with `"metric":"inkit_document_details_gave_up"`.
#[derive(Clone)]
pub struct BackgroundRetry {
    records: Arc<dyn InkitRecordStore>,
    inkit: Arc<dyn InkitApi>,
    schedule: RetrySchedule,
}

impl BackgroundRetry {
    pub fn new(
        records: Arc<dyn InkitRecordStore>,
        inkit: Arc<dyn InkitApi>,
        schedule: RetrySchedule,
    ) -> Self {
        Self {
            records,
            inkit,
            schedule,
        }
    }

    /// Retries until the details are had, cannot be had, or the attempts are spent.
    pub async fn run(&self, resource_id: &str) -> DetailsOutcome {
        let mut pause = self.schedule.first_pause;
        let mut last = String::new();
        for attempt in 1..=self.schedule.attempts {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(self.schedule.max_pause);
            let outcome = complete_details(
                super::NAME,
                resource_id,
                self.records.as_ref(),
                self.inkit.as_ref(),
            )
            .await;
            match outcome {
                DetailsOutcome::Pending(reason) => {
                    tracing::warn!(
                        resource_id,
                        attempt,
                        "document details still pending: {reason}"
                    );
                    last = reason;
                }
                done => {
                    tracing::info!(
                        resource_id,
                        attempt,
                        details = done.as_str(),
                        "document details retried"
                    );
                    return done;
                }
            }
        }
        tracing::error!(
            metric = "inkit_document_details_gave_up",
            resource_id,
            attempts = self.schedule.attempts,
            "document details given up after every retry: {last}"
        );
        if let Err(error) = self
            .records
            .mark_inkit_details_unavailable(
                resource_id,
                details_unavailable::GAVE_UP,
                &Timestamp::now(),
            )
            .await
        {
            tracing::error!(resource_id, "could not mark the details given up: {error}");
        }
        DetailsOutcome::Unavailable(details_unavailable::GAVE_UP)
    }
}

impl PendingDetails for BackgroundRetry {
    fn details_pending(&self, resource_id: &str, reason: &str) {
        tracing::warn!(
            resource_id,
            "document details not fetched ({reason}): retrying in the background"
        );
        let retry = self.clone();
        let resource_id = resource_id.to_owned();
        tokio::spawn(async move { retry.run(&resource_id).await });
    }
}
