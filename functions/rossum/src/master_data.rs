//! Master-data matching for the `annotation_content` hooks: the Master Data Hub
//! `configurations` of the hook's settings against the datasets when it has any, else the
//! built-in vendor matching (never both: one writer of each target).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use dataset_matching::{Annotation, MatchingError, Trigger, run_matching};
use dataset_store::{DatasetStore, ObservedDatasetStore};
use matching_config::MatchingSettings;
use rossum_rules::{Settings, match_vendor_datapoint};
use vendor_matching::{Candidate, Lookup, VendorStore};
use webhook_endpoint::WebhookError;
use webhook_function::Dependencies;
use webhook_model::rossum::{AnnotationContentEvent, HookResponse, Message};

/// The stores matching reads: the vendors for the built-in matching, the datasets for
/// configurations.
#[derive(Clone)]
pub struct MasterData {
    pub vendors: Arc<dyn VendorStore>,
    pub datasets: Arc<dyn DatasetStore>,
}

impl MasterData {
    pub fn of(dependencies: &Dependencies) -> Self {
        Self {
            vendors: dependencies.vendors(),
            datasets: dependencies.datasets(),
        }
    }
}

/// Which matching a delivery gets.
#[derive(Clone, Copy)]
pub enum Matcher<'m> {
    /// The built-in vendor matching (`vendor_*` settings).
    Vendors(&'m dyn VendorStore),
    /// The hook's `configurations`.
    Configured {
        settings: &'m MatchingSettings,
        datasets: &'m dyn DatasetStore,
    },
}

impl<'m> Matcher<'m> {
    /// The matcher `configurations` asks for, else the vendors'.
    pub fn new(configured: Option<&'m MatchingSettings>, master: &'m MasterData) -> Self {
        match configured {
            Some(settings) => Matcher::Configured {
                settings,
                datasets: master.datasets.as_ref(),
            },
            None => Matcher::Vendors(master.vendors.as_ref()),
        }
    }
}

/// The delivery's `configurations`, checked: whatever cannot run is a 400 naming it.
pub fn configured_matching(
    event: &AnnotationContentEvent,
) -> Result<Option<MatchingSettings>, WebhookError> {
    MatchingSettings::from_hook_settings(&event.settings)
        .map_err(|e| WebhookError::MalformedBody(e.to_string()))
}

/// Runs `matcher` on `event` for `function`: what matching adds to the hook's answer. A configuration's warnings (an unknown
/// dataset, a placeholder naming no datapoint, an ignored key) are logged and shown as
/// document warnings, so whoever pasted the configuration sees them.
pub async fn run(
    function: &str,
    matcher: Matcher<'_>,
    event: &AnnotationContentEvent,
    settings: &Settings,
) -> Result<HookResponse, MatchingError> {
    let calls = AtomicUsize::new(0);
    let answer = run_counted(function, matcher, event, settings, &calls).await;
    // What matching cost the delivery in store round trips (a DynamoDB request or batch each).
    emf_metrics::Measurement::of(function)
        .metric(
            emf_metrics::MASTER_DATA_ROUND_TRIPS,
            emf_metrics::Unit::Count,
            calls.load(Ordering::Relaxed) as f64,
        )
        .emit();
    answer
}

async fn run_counted(
    function: &str,
    matcher: Matcher<'_>,
    event: &AnnotationContentEvent,
    settings: &Settings,
    calls: &AtomicUsize,
) -> Result<HookResponse, MatchingError> {
    match matcher {
        Matcher::Vendors(vendors) => {
            let vendors = &CountedVendors {
                inner: vendors,
                calls,
            };
            let matched = match_vendor_datapoint(event.content(), settings, vendors).await?;
            Ok(HookResponse {
                messages: matched.messages,
                operations: matched.operations,
                automation_blockers: matched.blocker.into_iter().collect(),
            })
        }
        Matcher::Configured { settings, datasets } => {
            let datasets = &ObservedDatasetStore::new(datasets, |_| {
                calls.fetch_add(1, Ordering::Relaxed);
            });
            let Some(trigger) = Trigger::of_action(&event.action) else {
                return Ok(HookResponse::default());
            };
            let answer = run_matching(
                settings,
                &Annotation {
                    content: event.content(),
                    schemas: event.other.get("schemas"),
                    queue_url: event.queue_url(),
                    trigger,
                    updated_datapoints: &event.updated_datapoints,
                },
                datasets,
            )
            .await?;
            let mut messages = answer.messages;
            for warning in answer.warnings {
                tracing::warn!(function, reason = "matching_configuration", "{warning}");
                messages.push(Message::warning(
                    None,
                    format!("Master data matching: {warning}"),
                ));
            }
            Ok(HookResponse {
                messages,
                operations: answer.operations,
                automation_blockers: answer.automation_blockers,
            })
        }
    }
}

/// A configuration that cannot run is the delivery's 400; unreadable datasets its 503.
pub fn refusal(error: MatchingError) -> WebhookError {
    match error {
        MatchingError::Configuration(reason) => WebhookError::MalformedBody(reason),
        MatchingError::Unavailable(error) => error.into(),
    }
}

/// The vendor store with its calls counted: each is one round trip to the master data.
struct CountedVendors<'a> {
    inner: &'a dyn VendorStore,
    calls: &'a AtomicUsize,
}

impl VendorStore for CountedVendors<'_> {
    fn lookup<'a>(&'a self, lookup: &'a Lookup) -> dataset_store::StoreFuture<'a, Vec<Candidate>> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.inner.lookup(lookup)
    }
}
