//! The request path of `rossum-annotation-updated` and `rossum-annotation-initialize` with the
//! embedded vendor store, on annotations of 10, 100 and 1 000 line items, through the real
//! `Endpoint::handle` with a request shaped as the Lambda conversion hands it. Next to each,
//! the floor: verify + the fastest skip-parse of the same bytes (sonic-rs's lazy iteration
//! over the body, SIMD, nothing built), and the old floor, verify +
//! `serde_json::from_slice::<Value>`. Then the same
//! hooks on 100 line items with a Master Data Hub configuration matching each row's product
//! by its code among 100 000 products held in memory (`Matcher::Configured`): what matching
//! adds per request. `export` on 10, 100 and 1 000 line items and `email.received` on the
//! sample follow, each delivery with a fresh `request_id` (both are behind the idempotency
//! guard, here with the in-memory stores), next to their own floors. A breakdown of `updated`
//! on 100 and 1 000 line items follows, and ratio tables at the end.
//!
//! `cargo bench -p bench --bench request_path`

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bench::{
    EMAIL_PAYLOAD, EXPORT_PAYLOAD, INITIALIZE_PAYLOAD, PRODUCTS, ROSSUM_DEVELOPMENT_SECRET,
    ROSSUM_SIGNATURE_HEADER, SAMPLE_VENDORS_CSV, UPDATED_PAYLOAD, annotation_body,
    business_rule_checks, checks_annotation_body, generated_product, median,
    product_annotation_body, rossum_signature,
};
use business_rules::{RulesInput, RulesSettings, Trigger, run_checks, today_utc};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput};
use dataset_store::{Dataset, DatasetStore, InMemoryDatasetStore, IndexSpec};
use idempotency_store::InMemoryIdempotencyStore;
use lambda_http::http::{HeaderMap, HeaderValue, Method};
use lambda_http::{Context, RequestExt};
use record_store::InMemoryRecordStore;
use rossum_rules::Settings;
use serde_json::Value;
use serde_json::json;
use vendor_matching::{InMemoryVendorStore, VendorStore, read_vendors};
use webhook_endpoint::{Body, Endpoint, EndpointConfig, Request, SecretSource, env_names};
use webhook_function::{Background, Dependencies};
use webhook_model::rossum::AnnotationContentEvent;
use webhook_verify::RossumVerifier;

const LINE_ITEMS: [usize; 3] = [10, 100, 1000];
/// Rows of the deliveries matched against the products.
const PRODUCT_LINE_ITEMS: usize = 100;
const SAMPLE_SIZE: usize = 10;

/// Short runs: the suite shares a 2-core machine and must finish in a few minutes.
fn quick() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(SAMPLE_SIZE)
}

/// One signed delivery to one route.
struct Delivery {
    route: &'static str,
    body: Vec<u8>,
    headers: HeaderMap,
}

impl Delivery {
    fn new(route: &'static str, body: Vec<u8>) -> Self {
        let signature = rossum_signature(ROSSUM_DEVELOPMENT_SECRET, &body);
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        headers.insert(
            ROSSUM_SIGNATURE_HEADER,
            HeaderValue::from_str(&signature).expect("hex is a valid header value"),
        );
        Self {
            route,
            body,
            headers,
        }
    }

    /// As the Lambda conversion builds it from an HTTP API event: a text body, the event's
    /// lower-cased headers, and the invocation's context.
    fn request(&self) -> Request {
        lambda_request(self.route, self.body.clone(), self.headers.clone())
    }
}

fn lambda_request(route: &str, body: Vec<u8>, headers: HeaderMap) -> Request {
    let text = String::from_utf8(body).expect("generated JSON is UTF-8");
    let mut request = Request::new(Body::Text(text));
    *request.method_mut() = Method::POST;
    *request.uri_mut() = route.parse().expect("routes are valid paths");
    *request.headers_mut() = headers;
    request.with_lambda_context(Context::default())
}

/// The `request_id` of a [`FreshDeliveries`] body before it is numbered: as wide as any number.
const REQUEST_ID_TEMPLATE: &str = "bench-00000000000000000000";

/// Deliveries of one body, each with a `request_id` of its own and signed anew: what a hook
/// behind the idempotency guard sees from Rossum, which would otherwise replay its first
/// answer.
struct FreshDeliveries {
    delivery: Delivery,
    /// Where the number of the `request_id` lies in the body.
    number_at: std::ops::Range<usize>,
}

/// The number of the next fresh `request_id`, unique across bodies: a key reused with another
/// body is refused (409).
static NEXT_REQUEST: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl FreshDeliveries {
    fn new(route: &'static str, mut event: Value) -> Self {
        event["request_id"] = json!(REQUEST_ID_TEMPLATE);
        let body = serde_json::to_vec(&event).expect("a JSON value serialises");
        let template = REQUEST_ID_TEMPLATE.as_bytes();
        let start = body
            .windows(template.len())
            .position(|window| window == template)
            .expect("the body holds its request_id")
            + "bench-".len();
        Self {
            delivery: Delivery::new(route, body),
            number_at: start..start + template.len() - "bench-".len(),
        }
    }

    /// The next delivery, as the Lambda conversion hands it.
    fn request(&self) -> Request {
        let number = NEXT_REQUEST.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut body = self.delivery.body.clone();
        let width = self.number_at.len();
        body[self.number_at.clone()].copy_from_slice(format!("{number:0width$}").as_bytes());
        let fresh = Delivery::new(self.delivery.route, body);
        lambda_request(fresh.route, fresh.body, fresh.headers)
    }
}

/// Per-iteration times of the measurement samples, by benchmark id: what the summary reads.
#[derive(Default)]
struct Recorder(Mutex<BTreeMap<String, Vec<f64>>>);

impl Recorder {
    /// Keeps the mean of one criterion sample; warm-up calls come first and are dropped later.
    fn record(&self, id: &str, total: Duration, iters: u64) {
        let mut samples = self.0.lock().expect("no panics while recording");
        let per_iter_ns = total.as_nanos() as f64 / iters as f64;
        samples.entry(id.to_owned()).or_default().push(per_iter_ns);
    }

    /// The median of the last `SAMPLE_SIZE` samples (the measured ones), in nanoseconds.
    fn median_ns(&self, id: &str) -> Option<f64> {
        let samples = self.0.lock().expect("no panics while recording");
        let all = samples.get(id)?;
        let mut measured = all[all.len().saturating_sub(SAMPLE_SIZE)..].to_vec();
        Some(median(&mut measured))
    }
}

/// Times `run` and the drop of its result, once per iteration, leaving `setup` (building a
/// request) out.
fn timed<S, R>(
    recorder: &Recorder,
    id: &str,
    iters: u64,
    mut setup: impl FnMut() -> S,
    mut run: impl FnMut(S) -> R,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let input = setup();
        let started = Instant::now();
        // Freeing the parsed tree is part of the cost on both sides: drop inside the timer.
        drop(black_box(run(input)));
        total += started.elapsed();
    }
    recorder.record(id, total, iters);
    total
}

/// One benchmark of `group` timed by [`timed`] and recorded under `id`.
fn timed_bench<S, R>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    recorder: &Recorder,
    name: impl Into<String>,
    id: &str,
    mut setup: impl FnMut() -> S,
    mut run: impl FnMut(S) -> R,
) {
    group.bench_function(name.into(), |b| {
        b.iter_custom(|iters| timed(recorder, id, iters, &mut setup, &mut run))
    });
}

struct Fixture {
    updated: Endpoint,
    initialize: Endpoint,
    export: Endpoint,
    email: Endpoint,
    verifier: RossumVerifier,
    vendors: Arc<dyn VendorStore>,
    runtime: tokio::runtime::Runtime,
}

impl Fixture {
    fn new() -> Self {
        let config = EndpointConfig::from_lookup(SecretSource::Environment, |name| {
            (name == env_names::ROSSUM_SECRET).then(|| ROSSUM_DEVELOPMENT_SECRET.to_owned())
        });
        let read = read_vendors(SAMPLE_VENDORS_CSV.as_bytes(), false).expect("sample vendors");
        let vendors: Arc<dyn VendorStore> = Arc::new(InMemoryVendorStore::new(
            read.vendors.into_iter().map(|(_, vendor)| vendor),
        ));
        let products = Dataset::new(
            "products",
            (0..PRODUCTS).map(generated_product).collect(),
            vec![IndexSpec::parse("code").expect("an index spec")],
            vec!["name".to_owned()],
        );
        let datasets: Arc<dyn DatasetStore> = Arc::new(InMemoryDatasetStore::new([products]));
        // Deliveries without `configurations` keep the built-in vendor matching.
        let dependencies = Dependencies::given(Background::InProcess)
            .with_vendors(vendors.clone())
            .with_datasets(datasets)
            .with_records(Arc::new(InMemoryRecordStore::new()))
            .with_idempotency(Arc::new(InMemoryIdempotencyStore::new()));
        Self {
            updated: rossum_functions::ANNOTATION_UPDATED.build(&config, &dependencies),
            initialize: rossum_functions::ANNOTATION_INITIALIZE.build(&config, &dependencies),
            export: rossum_functions::ANNOTATION_EXPORT.build(&config, &dependencies),
            email: rossum_functions::EMAIL_RECEIVED.build(&config, &dependencies),
            verifier: config.rossum.clone(),
            vendors,
            // One thread, as a Lambda function's runtime is.
            runtime: tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("a tokio runtime"),
        }
    }

    /// Answers one delivery; refuses to benchmark anything but a 200.
    fn check(&self, endpoint: &Endpoint, delivery: &Delivery) {
        self.check_request(endpoint, delivery.request());
    }

    fn check_request(&self, endpoint: &Endpoint, request: Request) {
        let response = self.runtime.block_on(endpoint.handle(request));
        assert_eq!(
            response.status(),
            200,
            "{} answered {:?}",
            endpoint.function(),
            response.body()
        );
    }

    /// verify + parse to a `Value`: the old floor, what a handler building a generic tree
    /// costs.
    fn floor(&self, delivery: &Delivery) -> Value {
        self.verifier
            .verify(&delivery.headers, &delivery.body)
            .expect("signed with the development secret");
        serde_json::from_slice(&delivery.body).expect("generated JSON")
    }

    /// verify + the fastest skip-parse of the same bytes: sonic-rs walks the body's entries
    /// lazily, each value skipped over with SIMD and nothing built. What any handler of these
    /// bytes must at least do.
    fn floor_skip(&self, delivery: &Delivery) -> usize {
        self.verifier
            .verify(&delivery.headers, &delivery.body)
            .expect("signed with the development secret");
        skip_parse(&delivery.body)
    }
}

/// The body's top-level entries walked by sonic-rs, each value skipped over (SIMD) and nothing
/// built; the raw lengths are summed so that the walk cannot be optimised away.
fn skip_parse(body: &[u8]) -> usize {
    sonic_rs::to_object_iter(body)
        .map(|entry| entry.expect("generated JSON").1.as_raw_str().len())
        .sum()
}

fn request_path(c: &mut Criterion, fixture: &Fixture, recorder: &Recorder) {
    for line_items in LINE_ITEMS {
        let updated = annotation_body(UPDATED_PAYLOAD, line_items);
        let initialize = annotation_body(INITIALIZE_PAYLOAD, line_items);
        let group = format!("request_path_{line_items}_items");
        hooks(
            c,
            fixture,
            recorder,
            &group,
            &line_items.to_string(),
            updated,
            initialize,
        );
    }
    // Every row's product matched on `initialize`, the edited row's on `updated`.
    let updated = product_annotation_body(UPDATED_PAYLOAD, PRODUCT_LINE_ITEMS);
    let initialize = product_annotation_body(INITIALIZE_PAYLOAD, PRODUCT_LINE_ITEMS);
    let group = format!("request_path_{PRODUCT_LINE_ITEMS}_items_products");
    hooks(
        c,
        fixture,
        recorder,
        &group,
        PRODUCTS_KEY,
        updated,
        initialize,
    );
    // Business rules: 50 checks of every kind on 100 rows; one per-row check, as `updated`
    // runs it when the user edits one cell it reads.
    for (key, checks) in [
        (CHECKS_KEY, business_rule_checks(50)),
        (
            ONE_CHECK_KEY,
            json!([{"rule": "has_value({item_vat_rate})", "message": "VAT rate needed."}]),
        ),
    ] {
        let updated = checks_annotation_body(UPDATED_PAYLOAD, 100, checks.clone());
        let initialize = checks_annotation_body(INITIALIZE_PAYLOAD, 100, checks);
        let group = format!("request_path_100_items_{}", key.replace([' ', '+'], "_"));
        hooks(c, fixture, recorder, &group, key, updated, initialize);
    }
}

/// The recorder's keys of the business-rules deliveries.
const CHECKS_KEY: &str = "100 + 50 checks";
const ONE_CHECK_KEY: &str = "100 + 1 check";

/// The recorder's key of the product-matching deliveries.
const PRODUCTS_KEY: &str = "100 + products";

/// `updated` and `initialize` on these bodies, each next to its floor, recorded under `key`.
fn hooks(
    c: &mut Criterion,
    fixture: &Fixture,
    recorder: &Recorder,
    group: &str,
    key: &str,
    updated: Vec<u8>,
    initialize: Vec<u8>,
) {
    let updated = Delivery::new(rossum_functions::ANNOTATION_UPDATED.route, updated);
    let initialize = Delivery::new(rossum_functions::ANNOTATION_INITIALIZE.route, initialize);
    fixture.check(&fixture.updated, &updated);
    fixture.check(&fixture.initialize, &initialize);

    let mut group = c.benchmark_group(group);
    group.throughput(Throughput::Bytes(updated.body.len() as u64));
    let cases = [
        ("updated", &fixture.updated, &updated),
        ("initialize", &fixture.initialize, &initialize),
    ];
    for (name, endpoint, delivery) in cases {
        let skip_id = format!("{key}/floor_skip_{name}");
        timed_bench(
            &mut group,
            recorder,
            format!("floor_skip_{name}"),
            &skip_id,
            || (),
            |()| fixture.floor_skip(delivery),
        );
        let floor_id = format!("{key}/floor_{name}");
        timed_bench(
            &mut group,
            recorder,
            format!("floor_{name}"),
            &floor_id,
            || (),
            |()| fixture.floor(delivery),
        );
        let id = format!("{key}/{name}");
        timed_bench(
            &mut group,
            recorder,
            name,
            &id,
            || delivery.request(),
            |request| fixture.runtime.block_on(endpoint.handle(request)),
        );
    }
    group.finish();
}

/// The deliveries of [`guarded_hooks`] by recorder key, `export` on 10, 100 and 1 000 line
/// items and `email.received` on the sample, and whether each is an export.
fn guarded_deliveries() -> Vec<(String, bool, FreshDeliveries)> {
    let exports = LINE_ITEMS.map(|line_items| {
        let body = annotation_body(EXPORT_PAYLOAD, line_items);
        let event = serde_json::from_slice(&body).expect("generated JSON");
        let route = rossum_functions::ANNOTATION_EXPORT.route;
        (
            format!("export {line_items}"),
            true,
            FreshDeliveries::new(route, event),
        )
    });
    let email = serde_json::from_str(EMAIL_PAYLOAD).expect("the sample is JSON");
    let route = rossum_functions::EMAIL_RECEIVED.route;
    let email = (
        "email".to_owned(),
        false,
        FreshDeliveries::new(route, email),
    );
    exports.into_iter().chain([email]).collect()
}

/// `export` and `email.received`, each next to its floor on the same bytes.
fn guarded_hooks(c: &mut Criterion, fixture: &Fixture, recorder: &Recorder) {
    let mut group = c.benchmark_group("request_path_export_email");
    for (key, is_export, deliveries) in guarded_deliveries() {
        let endpoint = if is_export {
            &fixture.export
        } else {
            &fixture.email
        };
        fixture.check_request(endpoint, deliveries.request());
        let name = key.replace(' ', "_");
        let skip_id = format!("{key}/floor_skip");
        timed_bench(
            &mut group,
            recorder,
            format!("floor_skip_{name}"),
            &skip_id,
            || (),
            |()| fixture.floor_skip(&deliveries.delivery),
        );
        let id = format!("{key}/hook");
        timed_bench(
            &mut group,
            recorder,
            name,
            &id,
            || deliveries.request(),
            |request| fixture.runtime.block_on(endpoint.handle(request)),
        );
    }
    group.finish();
}

/// Where `updated` spends its time, stage by stage.
fn updated_stages(c: &mut Criterion, fixture: &Fixture, line_items: usize) {
    let delivery = Delivery::new(
        rossum_functions::ANNOTATION_UPDATED.route,
        annotation_body(UPDATED_PAYLOAD, line_items),
    );
    let event: AnnotationContentEvent = serde_json::from_slice(&delivery.body).expect("event");
    let settings = Settings::default();
    let answer = fixture
        .runtime
        .block_on(rossum_functions::annotation_updated::respond(
            &event,
            &settings,
            fixture.vendors.as_ref(),
        ));

    let mut group = c.benchmark_group(format!("updated_stages_{line_items}_items"));
    group.bench_function("verify", |b| {
        b.iter(|| fixture.verifier.verify(&delivery.headers, &delivery.body))
    });
    group.bench_function("skip_parse", |b| {
        b.iter(|| skip_parse(black_box(&delivery.body)))
    });
    group.bench_function("parse_value", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&delivery.body)))
    });
    group.bench_function("parse_event", |b| {
        b.iter(|| serde_json::from_slice::<AnnotationContentEvent>(black_box(&delivery.body)))
    });
    group.bench_function("rules", |b| {
        b.iter(|| {
            fixture
                .runtime
                .block_on(rossum_functions::annotation_updated::respond(
                    black_box(&event),
                    &settings,
                    fixture.vendors.as_ref(),
                ))
        })
    });
    group.bench_function("serialize_answer", |b| {
        b.iter(|| serde_json::to_string(black_box(&answer)))
    });
    group.bench_function("drop_event", |b| {
        b.iter_batched(|| event.clone(), drop, criterion::BatchSize::LargeInput)
    });
    group.finish();
}

/// What the 50 business-rule checks cost on their own on 100 rows, as a warm function runs
/// them (the settings compiled by an earlier delivery), next to the floor of the same bytes;
/// and compiling the settings, which a cold function does once.
fn checks_stages(c: &mut Criterion, fixture: &Fixture, recorder: &Recorder) {
    let delivery = Delivery::new(
        rossum_functions::ANNOTATION_INITIALIZE.route,
        checks_annotation_body(INITIALIZE_PAYLOAD, 100, business_rule_checks(50)),
    );
    let event: AnnotationContentEvent = serde_json::from_slice(&delivery.body).expect("event");
    let settings = RulesSettings::from_hook_settings(&event.settings)
        .expect("valid checks")
        .expect("checks present");
    let edited = event.updated_datapoints.clone();
    let run = |trigger: Trigger, changed: &[u64]| {
        run_checks(
            &settings,
            &RulesInput {
                content: event.content(),
                queue_url: event.queue_url(),
                trigger,
                changed,
                today: today_utc(),
            },
        )
        .expect("the checks run")
    };
    let answer = run(Trigger::Initialize, &[]);
    assert!(answer.warnings.is_empty(), "{:?}", answer.warnings);
    let mut group = c.benchmark_group(CHECKS_STAGES);
    let cases: [(&str, &Stage); 4] = [
        ("floor", &|| Box::new(fixture.floor(&delivery))),
        ("compile", &|| {
            Box::new(RulesSettings::from_hook_settings(&event.settings))
        }),
        ("initialize", &|| Box::new(run(Trigger::Initialize, &[]))),
        ("updated", &|| Box::new(run(Trigger::Updated, &edited))),
    ];
    for (name, stage) in cases {
        let id = format!("{CHECKS_STAGES}/{name}");
        group.bench_function(name, |b| {
            b.iter_custom(|iters| timed(recorder, &id, iters, || (), |()| stage()))
        });
    }
    group.finish();
}

/// One measured stage; its result is dropped inside the timer.
type Stage<'a> = dyn Fn() -> Box<dyn std::any::Any> + 'a;

const CHECKS_STAGES: &str = "checks_stages_100_items_50_checks";

/// The checks' own time against the floor, as the target reads it.
fn print_checks_share(recorder: &Recorder) {
    let time = |name: &str| recorder.median_ns(&format!("{CHECKS_STAGES}/{name}"));
    let (Some(floor), Some(compile), Some(initialize), Some(updated)) = (
        time("floor"),
        time("compile"),
        time("initialize"),
        time("updated"),
    ) else {
        return;
    };
    println!("\n| 50 checks on 100 rows | time | share of the floor |");
    println!("|---|---:|---:|");
    println!("| floor (verify + parse) | {} | 100% |", micros(floor));
    for (name, ns) in [
        ("`initialize`: every check", initialize),
        ("`updated`: the checks reading the edited cell", updated),
        ("compiling the settings (once per warm function)", compile),
    ] {
        println!("| {name} | {} | {:.0}% |", micros(ns), ns / floor * 100.0);
    }
}

/// The markdown table of each hook's time against the floor on the same bytes.
fn print_ratios(recorder: &Recorder) {
    println!(
        "\n| line items | body | floor (verify + skip-parse) | verify + `Value` | updated | ratio | initialize floor | initialize | ratio |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let rows = LINE_ITEMS
        .iter()
        .map(|&n| (n.to_string(), annotation_body(UPDATED_PAYLOAD, n).len()))
        .chain([(
            PRODUCTS_KEY.to_owned(),
            product_annotation_body(UPDATED_PAYLOAD, PRODUCT_LINE_ITEMS).len(),
        )])
        .chain([
            (
                CHECKS_KEY.to_owned(),
                checks_annotation_body(UPDATED_PAYLOAD, 100, business_rule_checks(50)).len(),
            ),
            (
                ONE_CHECK_KEY.to_owned(),
                annotation_body(UPDATED_PAYLOAD, 100).len(),
            ),
        ]);
    for (key, body_len) in rows {
        let time = |name: &str| recorder.median_ns(&format!("{key}/{name}"));
        let (Some(floor), Some(value_floor), Some(updated)) = (
            time("floor_skip_updated"),
            time("floor_updated"),
            time("updated"),
        ) else {
            continue;
        };
        let (Some(initialize_floor), Some(initialize)) =
            (time("floor_skip_initialize"), time("initialize"))
        else {
            continue;
        };
        println!(
            "| {key} | {} | {} | {} | {} | {:.2}x | {} | {} | {:.2}x |",
            kilobytes(body_len),
            micros(floor),
            micros(value_floor),
            micros(updated),
            updated / floor,
            micros(initialize_floor),
            micros(initialize),
            initialize / initialize_floor,
        );
    }
    println!(
        "\nMedians of {SAMPLE_SIZE} criterion samples; each ratio is against the floor on that hook's own bytes. \
         \"{PRODUCTS_KEY}\": 100 line items with an item code each and a configuration matching every row's \
         product by code among {PRODUCTS} in memory (`initialize`: all 100 rows; `updated`: the edited row). \
         \"{CHECKS_KEY}\": 100 line items and 50 Business Rules Validation checks of every kind (`updated` runs those \
         reading the edited cell); \"{ONE_CHECK_KEY}\": one per-row check reading the edited column."
    );
}

/// The markdown table of `export` and `email.received` against their floors.
fn print_guarded_ratios(recorder: &Recorder) {
    println!("\n| hook | body | floor (verify + skip-parse) | hook | ratio |");
    println!("|---|---:|---:|---:|---:|");
    for (key, _, deliveries) in guarded_deliveries() {
        let time = |name: &str| recorder.median_ns(&format!("{key}/{name}"));
        let (Some(floor), Some(hook)) = (time("floor_skip"), time("hook")) else {
            continue;
        };
        println!(
            "| {key} | {} | {} | {} | {:.2}x |",
            kilobytes(deliveries.delivery.body.len()),
            micros(floor),
            micros(hook),
            hook / floor,
        );
    }
    println!(
        "\n\"export N\": the `export` sample with N line items; \"email\": the `email.received` sample. \
         Each delivery has a fresh `request_id`, so the idempotency guard (in-memory stores here) runs \
         the hook every time instead of replaying the first answer."
    );
}

fn micros(ns: f64) -> String {
    format!("{:.1} µs", ns / 1000.0)
}

fn kilobytes(bytes: usize) -> String {
    format!("{:.0} KB", bytes as f64 / 1024.0)
}

fn main() {
    let mut criterion = quick().configure_from_args();
    let fixture = Fixture::new();
    let recorder = Recorder::default();
    request_path(&mut criterion, &fixture, &recorder);
    guarded_hooks(&mut criterion, &fixture, &recorder);
    updated_stages(&mut criterion, &fixture, 100);
    updated_stages(&mut criterion, &fixture, 1000);
    checks_stages(&mut criterion, &fixture, &recorder);
    criterion.final_summary();
    print_ratios(&recorder);
    print_guarded_ratios(&recorder);
    print_checks_share(&recorder);
}
