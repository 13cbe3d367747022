//! `inkit-document-details`: completes the details of Inkit documents whose
//! `DOCUMENT_CREATE_FINISHED` webhook could not fetch them, since Inkit documents no
//! redelivery.
//!
//! It is driven by the records table's DynamoDB stream: the event source mapping's filter
//! passes only the insertion of a `DOCUMENT_CREATE_FINISHED` event item, once per document.
//! For each, the document item is read; details recorded already (by the webhook, in the
//! common case) end it, otherwise they are fetched and recorded as the webhook does
//! ([`crate::document_create_finished::complete_details`]). A record whose details are still
//! pending is reported in `batchItemFailures`, so Lambda retries it (and bisects the batch),
//! and once its retries are spent hands it to the dead-letter queue, whose alarm makes the
//! give-up visible. Records this function does not handle are acknowledged.

use std::sync::Arc;

use crate::document_create_finished::{DetailsOutcome, complete_details};
pub use domain_events::{StreamEvent, StreamRecord};
use inkit_client::InkitApi;
use record_store::InkitRecordStore;
pub use webhook_endpoint::{BatchResponse, ItemFailure};
use webhook_endpoint::{LambdaError, run_lambda_events};
use webhook_function::{Platform, Worker};
use webhook_model::inkit::InkitEventType;

/// The worker's name: its Lambda binary, its registry entry, its log lines.
pub const NAME: &str = "inkit-document-details";

/// This worker as the registry knows it.
pub const WORKER: Worker = Worker {
    name: NAME,
    platform: Some(Platform::Inkit(InkitEventType::DocumentCreateFinished)),
    source: "the records table's DynamoDB stream (the local server retries in the background)",
};

/// The `main` of its Lambda binary: each batch of stream records is completed and answered
/// with the records still pending, which the stream hands over again.
pub fn lambda_main() -> Result<(), LambdaError> {
    webhook_function::run_in_lambda(|dependencies| async move {
        let (records, inkit) = (dependencies.inkit_records(), dependencies.inkit_api());
        run_lambda_events(move |event: StreamEvent, request_id| {
            let (records, inkit) = (records.clone(), inkit.clone());
            async move {
                let started = std::time::Instant::now();
                let size = event.records.len();
                let response = complete_batch(event, records, inkit).await;
                tracing::info!(
                    function = NAME,
                    request_id,
                    records = size,
                    pending = response.batch_item_failures.len(),
                    latency_ms = started.elapsed().as_secs_f64() * 1000.0,
                    "batch handled"
                );
                Ok(response)
            }
        })
        .await
    })
}

/// The event type whose insertion asks for details.
const CREATE_FINISHED: &str = "DOCUMENT_CREATE_FINISHED";

/// The document whose details a stream record asks for: the insertion of a
/// `DOCUMENT_CREATE_FINISHED` event item (the same condition as the template's filter).
pub fn resource_to_complete(record: &StreamRecord) -> Option<&str> {
    let image = record.new_image()?;
    let asks = record.event_name == "INSERT"
        && image.text("kind") == Some("inkit_event")
        && image.text("event_type") == Some(CREATE_FINISHED);
    asks.then(|| image.text("resource_id")).flatten()
}

/// Completes every record of the batch at once (each fetch has its own deadline, so a batch
/// takes about one deadline however many records it holds) and reports the pending ones.
pub async fn complete_batch(
    event: StreamEvent,
    records: Arc<dyn InkitRecordStore>,
    inkit: Arc<dyn InkitApi>,
) -> BatchResponse {
    let mut fetches = tokio::task::JoinSet::new();
    for record in event.records {
        let Some(resource_id) = resource_to_complete(&record).map(str::to_owned) else {
            tracing::debug!(function = NAME, sequence = %record.dynamodb.sequence_number, "not a finished document: acknowledged");
            continue;
        };
        let (records, inkit) = (records.clone(), inkit.clone());
        fetches.spawn(async move {
            let outcome =
                complete_details(NAME, &resource_id, records.as_ref(), inkit.as_ref()).await;
            (record.dynamodb.sequence_number, resource_id, outcome)
        });
    }
    let mut pending = Vec::new();
    while let Some(joined) = fetches.join_next().await {
        let (sequence, resource_id, outcome) = match joined {
            Ok(done) => done,
            // A panic aborts the process in release builds; in tests, fail loudly.
            Err(error) => panic!("a details fetch failed to run: {error}"),
        };
        match outcome {
            DetailsOutcome::Pending(reason) => {
                tracing::warn!(
                    function = NAME,
                    resource_id,
                    sequence,
                    "document details still pending, left to Lambda's retry: {reason}"
                );
                pending.push(sequence);
            }
            done => tracing::info!(
                function = NAME,
                resource_id,
                details = done.as_str(),
                "document details completed"
            ),
        }
    }
    BatchResponse::of_sequences(pending)
}
