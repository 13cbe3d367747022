//! CloudWatch metrics written as Embedded Metric Format (EMF) lines: a JSON object whose `_aws`
//! member tells CloudWatch Logs which of its members are metrics and which are dimensions.
//! Lambda sends every stdout line to CloudWatch Logs, which extracts the metrics; nothing on
//! the request path calls an AWS API.
//!
//! Lines are written only where [`enable`] was called (the Lambda binaries): the local server
//! and the tests keep their logs as they are.
//!
//! Dimensions are kept to `function` and `outcome`, so that the number of metrics (and their
//! bill) stays at the functions times their outcomes.

use std::io::Write;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

/// The namespace when `METRICS_NAMESPACE` is not set (the template sets it).
pub const DEFAULT_NAMESPACE: &str = "DocumentWebhooks";

/// Deliveries answered, by `function` and `outcome` (accepted, duplicate, refused_401, ...),
/// and by `outcome` alone (what the stack's alarms watch).
pub const DELIVERIES: &str = "Deliveries";
/// Time from the request to the answer, by `function`.
pub const LATENCY: &str = "Latency";
/// Inkit API document fetches, by `function` and `outcome` (fetched, not_found, malformed,
/// unavailable, unauthorized, not_configured, misconfigured), and by `outcome` alone.
pub const INKIT_FETCHES: &str = "InkitFetches";
/// Master-data store round trips one delivery's matching made, by `function`.
pub const MASTER_DATA_ROUND_TRIPS: &str = "MasterDataRoundTrips";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
        }
    }
}

static NAMESPACE: OnceLock<String> = OnceLock::new();

/// Turns the lines on for this process, in `METRICS_NAMESPACE` (else [`DEFAULT_NAMESPACE`]).
pub fn enable() {
    let namespace = std::env::var("METRICS_NAMESPACE")
        .ok()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned());
    let _ = NAMESPACE.set(namespace);
}

/// One measurement: metrics sharing the line's dimensions.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    dimensions: Vec<(&'static str, String)>,
    /// Further dimension sets, each a subset of `dimensions` (a roll-up).
    rollups: Vec<Vec<&'static str>>,
    metrics: Vec<(&'static str, Unit, f64)>,
}

impl Measurement {
    /// A measurement of `function`.
    pub fn of(function: &str) -> Self {
        Self {
            dimensions: vec![("function", function.to_owned())],
            rollups: Vec::new(),
            metrics: Vec::new(),
        }
    }

    /// Also aggregates the metrics by `outcome` alone, across functions.
    pub fn by_outcome_alone(mut self) -> Self {
        self.rollups.push(vec!["outcome"]);
        self
    }

    /// Adds the `outcome` dimension.
    pub fn outcome(mut self, outcome: &str) -> Self {
        self.dimensions.push(("outcome", outcome.to_owned()));
        self
    }

    pub fn metric(mut self, name: &'static str, unit: Unit, value: f64) -> Self {
        self.metrics.push((name, unit, value));
        self
    }

    /// The EMF line, with `timestamp_ms` as its time.
    pub fn to_line(&self, namespace: &str, timestamp_ms: u64) -> String {
        let mut dimension_sets: Vec<Vec<&str>> =
            vec![self.dimensions.iter().map(|(n, _)| *n).collect()];
        dimension_sets.extend(self.rollups.iter().cloned());
        let definitions: Vec<Value> = self
            .metrics
            .iter()
            .map(|(name, unit, _)| json!({"Name": name, "Unit": unit.as_str()}))
            .collect();
        let mut root = Map::new();
        root.insert(
            "_aws".to_owned(),
            json!({
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": namespace,
                    "Dimensions": dimension_sets,
                    "Metrics": definitions,
                }],
            }),
        );
        for (name, value) in &self.dimensions {
            root.insert((*name).to_owned(), json!(value));
        }
        for (name, _, value) in &self.metrics {
            root.insert((*name).to_owned(), json!(value));
        }
        Value::Object(root).to_string()
    }

    /// Writes the line on stdout, where [`enable`] was called; else nothing.
    pub fn emit(&self) {
        let Some(namespace) = NAMESPACE.get() else {
            return;
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let mut line = self.to_line(namespace, now);
        line.push('\n');
        // A metric that cannot be written is not worth failing a delivery for.
        let _ = std::io::stdout().lock().write_all(line.as_bytes());
    }
}

/// What a delivery's answer counts as: `accepted`, `duplicate` (an earlier answer replayed),
/// `refused_<status>` for the sender's mistakes, `failed_<status>` for ours.
pub fn delivery_outcome(status: u16, replayed: bool) -> String {
    match status {
        200..=299 if replayed => "duplicate".to_owned(),
        200..=299 => "accepted".to_owned(),
        400..=499 => format!("refused_{status}"),
        _ => format!("failed_{status}"),
    }
}

/// The two lines of one answered delivery: its count by outcome, its latency by function.
pub fn delivery(function: &str, status: u16, replayed: bool, latency_ms: f64) {
    Measurement::of(function)
        .outcome(&delivery_outcome(status, replayed))
        .by_outcome_alone()
        .metric(DELIVERIES, Unit::Count, 1.0)
        .emit();
    Measurement::of(function)
        .metric(LATENCY, Unit::Milliseconds, latency_ms)
        .emit();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_its_metrics_and_dimensions_as_root_members() {
        let line = Measurement::of("rossum-annotation-updated")
            .outcome("refused_401")
            .by_outcome_alone()
            .metric(DELIVERIES, Unit::Count, 1.0)
            .to_line("Ns", 1_764_600_000_000);
        let value: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            value,
            json!({
                "_aws": {"Timestamp": 1_764_600_000_000u64, "CloudWatchMetrics": [{
                    "Namespace": "Ns",
                    "Dimensions": [["function", "outcome"], ["outcome"]],
                    "Metrics": [{"Name": "Deliveries", "Unit": "Count"}]}]},
                "function": "rossum-annotation-updated",
                "outcome": "refused_401",
                "Deliveries": 1.0
            })
        );
        assert!(!line.contains('\n'), "one log event is one line");
    }

    #[test]
    fn outcomes_say_accepted_duplicate_or_which_refusal() {
        assert_eq!(delivery_outcome(200, false), "accepted");
        assert_eq!(delivery_outcome(200, true), "duplicate");
        assert_eq!(delivery_outcome(413, false), "refused_413");
        assert_eq!(delivery_outcome(503, false), "failed_503");
    }
}
