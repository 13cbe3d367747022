//! Vendor matching against a master file of realistic size (100 000 vendors unless
//! `VENDOR_IMPORT_TEST_COUNT` says otherwise): DynamoDB round trips and time per annotation,
//! through the functions' own path (`rossum_rules::match_vendor_datapoint` with the default
//! hook settings on the DynamoDB store). Round trips are requests the SDK sends, counted by an
//! interceptor, retries included. Times are printed, not asserted.
//!
//! Imports the whole file first (over a minute), so it runs only when asked:
//! `cargo test -p master-data-store --test it vendor_round_trips -- --ignored --nocapture`

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use common::generated::{generated_vendor, iban, typo, vendor_count};
use common::{client, drop_table, import, new_table};
use master_data_store::DynamoVendorStore;
use rossum_rules::{Settings, VendorMatch, match_vendor_datapoint};
use serde_json::json;
use vendor_matching::Vendor;
use webhook_model::rossum::{Node, Operation};

const ANNOTATIONS_PER_KIND: usize = 50;
/// Round trips the common path (VAT id or IBAN on the invoice and in the master data) may take.
const COMMON_PATH_ROUND_TRIPS: usize = 2;

/// Counts the requests a client sends.
#[derive(Debug, Clone, Default)]
struct RoundTrips(Arc<AtomicUsize>);

impl RoundTrips {
    fn take(&self) -> usize {
        self.0.swap(0, Ordering::Relaxed)
    }
}

impl Intercept for RoundTrips {
    fn name(&self) -> &'static str {
        "RoundTrips"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

// Vendor names built from invented brands, industries and legal forms: many distinct words,
// a few very common ones, as real master files have.
/// As an invoice prints it: in groups of four.
fn spaced(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    chars
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the invoice says about its supplier; `None` is a datapoint left empty.
#[derive(Debug, Clone, Default)]
struct Supplier {
    vat_id: Option<String>,
    iban: Option<String>,
    name: Option<String>,
}

impl Supplier {
    /// An invoice that names its supplier and says nothing else about it.
    fn named(name: String) -> Self {
        Supplier {
            name: Some(name),
            ..Supplier::default()
        }
    }
}

/// An annotation's content as Rossum sends it: the supplier's datapoints and the empty
/// vendor enum that matching fills.
fn annotation(supplier: &Supplier) -> Vec<Node> {
    let datapoint = |id: u64, schema_id: &str, value: &Option<String>| {
        json!({"id": id, "schema_id": schema_id, "category": "datapoint",
               "content": {"value": value.clone().unwrap_or_default()}})
    };
    let section = json!([{
        "id": 1, "schema_id": "vendor_section", "category": "section",
        "children": [
            datapoint(2, "sender_vat_id", &supplier.vat_id),
            datapoint(3, "iban", &supplier.iban),
            datapoint(4, "sender_name", &supplier.name),
            json!({"id": 5, "schema_id": "vendor_match", "category": "datapoint",
                   "content": {"value": ""}, "options": []}),
        ],
    }]);
    serde_json::from_value(section).expect("annotation content")
}

/// The vendor ids matching offered in the enum datapoint.
fn offered(result: &VendorMatch) -> Vec<String> {
    result
        .operations
        .iter()
        .filter_map(|op| match op {
            Operation::Replace { value, .. } => value.options.clone(),
            _ => None,
        })
        .flatten()
        .map(|option| option.value)
        .collect()
}

/// One kind of annotation: how its supplier reads, and which vendor it should find.
struct Kind {
    label: &'static str,
    common_path: bool,
    cases: Vec<(Supplier, Option<String>)>,
}

fn kinds(vendors: &[Vendor], count: usize) -> Vec<Kind> {
    let spread = |keep: &dyn Fn(&Vendor) -> bool| -> Vec<&Vendor> {
        let step = (vendors.len() / (4 * ANNOTATIONS_PER_KIND)).max(1);
        vendors
            .iter()
            .step_by(step)
            .filter(|v| keep(v))
            .take(ANNOTATIONS_PER_KIND)
            .collect()
    };
    // Annotations of vendors that `keep` picks, each expected to find its own vendor.
    let found = |keep: &dyn Fn(&Vendor) -> bool, supplier: &dyn Fn(&Vendor) -> Supplier| {
        spread(keep)
            .into_iter()
            .map(|v| (supplier(v), Some(v.vendor_id.clone())))
            .collect()
    };
    let spaced_key = |key: &Option<String>| Some(spaced(key.as_deref().unwrap()));
    // Annotations of every vendor that name it only, spelt by `spell`.
    let name_only = |label, spell: &dyn Fn(&str) -> String| Kind {
        label,
        common_path: false,
        cases: found(&|_| true, &|v| Supplier::named(spell(&v.name))),
    };
    vec![
        Kind {
            label: "VAT id (with IBAN and name)",
            common_path: true,
            cases: found(&|v| v.vat_id.is_some(), &|v| Supplier {
                vat_id: spaced_key(&v.vat_id),
                iban: v.iban.clone(),
                name: Some(v.name.clone()),
            }),
        },
        Kind {
            label: "IBAN, no VAT id (with name)",
            common_path: true,
            cases: found(&|v| v.iban.is_some(), &|v| Supplier {
                iban: spaced_key(&v.iban),
                ..Supplier::named(v.name.clone())
            }),
        },
        name_only("name only", &|name| name.to_uppercase()),
        name_only("misspelt name only (fuzzy)", &typo),
        Kind {
            label: "unknown supplier (every query)",
            common_path: false,
            cases: (0..ANNOTATIONS_PER_KIND)
                .map(|k| {
                    let supplier = Supplier {
                        vat_id: Some(format!("NL{:09}B02", 900_000_000 + k)),
                        iban: Some(iban(count + 1_000_000 + k)),
                        name: Some(format!("Quorvyth Blandishment {k}")),
                    };
                    (supplier, None)
                })
                .collect(),
        },
    ]
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "imports 100 000 vendors; run with --ignored --nocapture"]
async fn vendor_matching_round_trips_and_time_per_annotation() {
    let count = vendor_count();
    let client = client().await;
    let table = new_table(&client, "round-trips").await;
    let vendors: Vec<Vendor> = (0..count).map(generated_vendor).collect();
    let started = Instant::now();
    import(&client, &table, &vendors).await;
    println!(
        "imported {count} vendors in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let round_trips = RoundTrips::default();
    let counted = aws_sdk_dynamodb::Client::from_conf(
        client
            .config()
            .to_builder()
            .interceptor(round_trips.clone())
            .build(),
    );
    let store = DynamoVendorStore::new(counted, &table);
    let settings = Settings::default();

    println!(
        "\n| annotation's supplier | annotations | found the vendor | round trips min / mean / max | ms per annotation mean / median |"
    );
    println!("|---|---|---|---|---|");
    for kind in kinds(&vendors, count) {
        let (mut trips, mut millis, mut found) = (Vec::new(), Vec::new(), 0);
        for (supplier, expected) in &kind.cases {
            let content = annotation(supplier);
            round_trips.take();
            let started = Instant::now();
            let result = match_vendor_datapoint(&content, &settings, &store)
                .await
                .unwrap_or_else(|e| panic!("{supplier:?}: {e}"));
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
            trips.push(round_trips.take());
            match expected {
                Some(id) => found += usize::from(offered(&result).contains(id)),
                None => assert_eq!(result.vendor_id, None, "{supplier:?}"),
            }
        }
        if kind.common_path {
            assert_eq!(
                found,
                kind.cases.len(),
                "{}: every vendor found",
                kind.label
            );
            let most = trips.iter().max().copied().unwrap_or(0);
            assert!(
                most <= COMMON_PATH_ROUND_TRIPS,
                "{}: {most} round trips for one annotation",
                kind.label
            );
        }
        let as_f64: Vec<f64> = trips.iter().map(|&t| t as f64).collect();
        println!(
            "| {} | {} | {found} | {} / {:.2} / {} | {:.2} / {:.2} |",
            kind.label,
            kind.cases.len(),
            trips.iter().min().unwrap(),
            mean(&as_f64),
            trips.iter().max().unwrap(),
            mean(&millis),
            median(&millis)
        );
    }
    drop_table(&client, &table).await;
}
