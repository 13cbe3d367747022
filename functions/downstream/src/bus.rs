//! The EventBridge bus events are put on: PutEvents requests of at most 10 entries and
//! 256 KB, and which entries each request failed.

use std::sync::Arc;

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::DisplayErrorContext;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use domain_events::{DomainEvent, MAX_ENTRY_BYTES};

/// The bus's name or ARN (the template sets it).
pub const EVENT_BUS_ENV: &str = "EVENT_BUS_NAME";
/// Overrides the EventBridge endpoint (a loopback stand-in in tests); unset in AWS.
pub const EVENTBRIDGE_ENDPOINT_ENV: &str = "EVENTBRIDGE_ENDPOINT";

/// PutEvents takes at most this many entries.
const ENTRIES_PER_REQUEST: usize = 10;

/// An entry EventBridge did not take, by its index in what was put, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub index: usize,
    pub reason: String,
}

#[derive(Clone)]
pub struct Bus {
    client: Option<Client>,
    name: Arc<str>,
}

impl Bus {
    pub fn new(client: Client, name: &str) -> Self {
        Self {
            client: Some(client),
            name: name.into(),
        }
    }

    /// The bus `EVENT_BUS_NAME` names, through the EventBridge endpoint of the region (or
    /// `EVENTBRIDGE_ENDPOINT`, with test credentials). Without a bus name every entry fails:
    /// the records stay in the stream, then in the dead-letter queue, never dropped.
    pub async fn from_env() -> Self {
        let endpoint = dynamodb_support::non_empty_env(EVENTBRIDGE_ENDPOINT_ENV);
        match dynamodb_support::non_empty_env(EVENT_BUS_ENV) {
            Some(name) => Self::connect(endpoint.as_deref(), &name).await,
            None => {
                tracing::error!("{EVENT_BUS_ENV} is not set: no event can be published");
                Self {
                    client: None,
                    name: "".into(),
                }
            }
        }
    }

    /// The bus `name` through the EventBridge endpoint of the region, or `endpoint` (with test
    /// credentials).
    pub async fn connect(endpoint: Option<&str>, name: &str) -> Self {
        Self::new(
            Client::new(&dynamodb_support::lambda_sdk_config(endpoint)),
            name,
        )
    }

    /// Puts `events` on the bus; what comes back is every entry that was not put.
    pub async fn put(&self, events: &[&DomainEvent]) -> Vec<Rejected> {
        let Some(client) = &self.client else {
            return rejected_all(0..events.len(), &format!("{EVENT_BUS_ENV} is not set"));
        };
        let mut rejected = Vec::new();
        for range in requests(events) {
            let entries = events[range.clone()]
                .iter()
                .map(|event| self.entry(event))
                .collect();
            let answer = client.put_events().set_entries(Some(entries)).send().await;
            match answer {
                Ok(output) => {
                    let answered = output.entries();
                    for (offset, index) in range.clone().enumerate() {
                        match answered.get(offset) {
                            Some(entry) if entry.error_code().is_none() => {}
                            Some(entry) => rejected.push(Rejected {
                                index,
                                reason: format!(
                                    "{}: {}",
                                    entry.error_code().unwrap_or_default(),
                                    entry.error_message().unwrap_or_default()
                                ),
                            }),
                            // An answer without this entry's result: not known to be put.
                            None => rejected.push(Rejected {
                                index,
                                reason: "no result for the entry".to_owned(),
                            }),
                        }
                    }
                }
                Err(error) => rejected.extend(rejected_all(
                    range,
                    &format!("PutEvents failed: {}", DisplayErrorContext(&error)),
                )),
            }
        }
        rejected
    }

    fn entry(&self, event: &DomainEvent) -> PutEventsRequestEntry {
        PutEventsRequestEntry::builder()
            .event_bus_name(self.name.as_ref())
            .source(event.source())
            .detail_type(event.detail_type())
            .detail(event.detail.to_string())
            .set_time(event.time.map(DateTime::from_secs_f64))
            .build()
    }
}

/// The events cut into PutEvents requests: at most 10 entries and 256 KB each.
fn requests(events: &[&DomainEvent]) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (index, event) in events.iter().enumerate() {
        let size = event.entry_size();
        if index > start && (index - start == ENTRIES_PER_REQUEST || bytes + size > MAX_ENTRY_BYTES)
        {
            ranges.push(start..index);
            (start, bytes) = (index, 0);
        }
        bytes += size;
    }
    if start < events.len() {
        ranges.push(start..events.len());
    }
    ranges
}

fn rejected_all(range: std::ops::Range<usize>, reason: &str) -> Vec<Rejected> {
    range
        .map(|index| Rejected {
            index,
            reason: reason.to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain_events::Kind;
    use serde_json::json;

    fn event_of_size(bytes: usize) -> DomainEvent {
        DomainEvent {
            kind: Kind::ExportReady,
            detail: json!({"event_id": "x", "padding": "p".repeat(bytes)}),
            time: None,
        }
    }

    #[test]
    fn requests_hold_at_most_ten_entries() {
        let events: Vec<DomainEvent> = (0..23).map(|_| event_of_size(10)).collect();
        let refs: Vec<&DomainEvent> = events.iter().collect();
        assert_eq!(requests(&refs), vec![0..10, 10..20, 20..23]);
    }

    #[test]
    fn requests_stay_within_256_kb() {
        let events: Vec<DomainEvent> = (0..5).map(|_| event_of_size(100 * 1024)).collect();
        let refs: Vec<&DomainEvent> = events.iter().collect();
        let ranges = requests(&refs);
        assert_eq!(ranges, vec![0..2, 2..4, 4..5]);
        for range in ranges {
            let bytes: usize = refs[range].iter().map(|e| e.entry_size()).sum();
            assert!(bytes <= MAX_ENTRY_BYTES, "{bytes}");
        }
    }
}
