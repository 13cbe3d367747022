//! What happens after a delivery is recorded, away from the request path.
//!
//! `domain-events-publisher` ([`WORKER`]) reads the records table's DynamoDB stream and puts
//! each recorded outcome on the stack's EventBridge bus as the event [`domain_events::event_of`]
//! makes of it. A webhook answers as fast as without it; an event is published at least once:
//! entries EventBridge fails are sent again a few times within the invocation, and what still
//! fails is reported in `batchItemFailures`, so the stream hands those records over again
//! (bisecting the batch) and, once its retries are spent, to the dead-letter queue.

mod bus;

use std::time::{Duration, Instant};

use domain_events::{DomainEvent, StreamEvent, event_of};
use webhook_endpoint::{BatchResponse, LambdaError, run_lambda_events};
use webhook_function::Worker;

pub use bus::{Bus, EVENT_BUS_ENV, EVENTBRIDGE_ENDPOINT_ENV, Rejected};

/// The worker's name: its Lambda binary, its registry entry, its log lines.
pub const NAME: &str = "domain-events-publisher";

/// This worker as the registry knows it.
pub const WORKER: Worker = Worker {
    name: NAME,
    platform: None,
    source: "the records table's DynamoDB stream (on AWS only: the local server publishes nothing)",
};

/// Every function of this package an event source drives.
pub const WORKERS: [&Worker; 1] = [&WORKER];

/// Events published, and entries EventBridge refused (each counted once per attempt).
pub const EVENTS_PUBLISHED: &str = "EventsPublished";
pub const EVENTS_FAILED: &str = "EventsFailed";

/// How often and how soon entries EventBridge failed are sent again within one invocation.
#[derive(Debug, Clone, Copy)]
pub struct Retries {
    /// Sends of an entry in all, the first included.
    pub attempts: usize,
    /// The wait before the first resend; each later one waits twice as long.
    pub first_delay: Duration,
}

impl Default for Retries {
    /// 4 sends over about 0.7 s: throttling and internal errors of PutEvents are brief.
    fn default() -> Self {
        Self {
            attempts: 4,
            first_delay: Duration::from_millis(100),
        }
    }
}

/// What one batch came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The records the stream must hand over again, lowest sequence number first.
    pub response: BatchResponse,
    pub published: usize,
    /// Records that stand for no event (acknowledged).
    pub skipped: usize,
    /// Entry failures over every attempt, with the last reason of each record left failed.
    pub failures: usize,
    pub reasons: Vec<String>,
}

/// The `main` of its Lambda binary.
pub fn lambda_main() -> Result<(), LambdaError> {
    webhook_function::run_lambda_process(async {
        let bus = Bus::from_env().await;
        run_lambda_events(move |event: StreamEvent, request_id| {
            let bus = bus.clone();
            async move {
                let started = Instant::now();
                let records = event.records.len();
                let outcome = publish_batch(event, &bus, Retries::default()).await;
                emf_metrics::Measurement::of(NAME)
                    .metric(
                        EVENTS_PUBLISHED,
                        emf_metrics::Unit::Count,
                        outcome.published as f64,
                    )
                    .metric(
                        EVENTS_FAILED,
                        emf_metrics::Unit::Count,
                        outcome.failures as f64,
                    )
                    .emit();
                let left = outcome.response.batch_item_failures.len();
                if left > 0 {
                    tracing::warn!(
                        function = NAME,
                        request_id,
                        records,
                        left,
                        reasons = ?outcome.reasons,
                        "events not published, left to the stream's retry"
                    );
                }
                tracing::info!(
                    function = NAME,
                    request_id,
                    records,
                    published = outcome.published,
                    skipped = outcome.skipped,
                    failures = outcome.failures,
                    left,
                    latency_ms = started.elapsed().as_secs_f64() * 1000.0,
                    "batch handled"
                );
                Ok(outcome.response)
            }
        })
        .await
    })
}

/// Publishes the events of a batch of stream records, resending what EventBridge fails.
pub async fn publish_batch(event: StreamEvent, bus: &Bus, retries: Retries) -> Outcome {
    let mut outcome = Outcome::default();
    let mut pending: Vec<(String, DomainEvent)> = Vec::with_capacity(event.records.len());
    for record in &event.records {
        match event_of(record) {
            Some(domain_event) => {
                pending.push((record.dynamodb.sequence_number.clone(), domain_event))
            }
            None => outcome.skipped += 1,
        }
    }
    let mut delay = retries.first_delay;
    let mut last_reasons = Vec::new();
    for attempt in 1..=retries.attempts.max(1) {
        if pending.is_empty() {
            break;
        }
        if attempt > 1 {
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
        let events: Vec<&DomainEvent> = pending.iter().map(|(_, e)| e).collect();
        let rejected = bus.put(&events).await;
        outcome.published += pending.len() - rejected.len();
        outcome.failures += rejected.len();
        let mut failed = Vec::with_capacity(rejected.len());
        last_reasons.clear();
        for Rejected { index, reason } in rejected {
            last_reasons.push(reason);
            failed.push(index);
        }
        pending = pending
            .into_iter()
            .enumerate()
            .filter(|(i, _)| failed.contains(i))
            .map(|(_, p)| p)
            .collect();
    }
    outcome.reasons = last_reasons;
    let sequences = pending.into_iter().map(|(sequence, _)| sequence);
    outcome.response = BatchResponse::of_sequences(sequences);
    outcome
}
