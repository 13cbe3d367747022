//! Master Data Hub matching against DynamoDB Local: 100 000 products (`--index code`; no
//! fuzzy index, whose name blocks would triple the import's writes) and vendors
//! (`--index vat_id`) in the master-data table, matched through the functions' own path (`annotation_initialize::respond_with` and
//! `annotation_updated::respond_with` with `Matcher::Configured` on `DynamoDatasetStore`).
//!
//! Prints one markdown table: per case the rows looked up, the store calls (keys asked), the
//! DynamoDB requests and how many of them ran one after another, and p50 / p99 of the time
//! per delivery. Figures are printed, never asserted; only the answers are checked.
//!
//! `DYNAMODB_ENDPOINT=... target/release/dataset_matching [--iterations N] [--vendors N]
//! [--table NAME]`; `./scripts/bench` starts the DynamoDB Local it runs against. The datasets
//! are imported once: a re-run finds the same content in the table and writes nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use bench::{
    INITIALIZE_PAYLOAD, PRODUCTS, UPDATED_PAYLOAD, generated_product, product_annotation_body,
    product_annotation_event, product_code, row_product,
};
use dataset_store::{
    DatasetCall, DatasetObserver, DatasetStore, IndexSpec, ObservedDatasetStore, scalar_key,
};
use master_data_store::{
    DatasetImport, DatasetImportMode, DynamoDatasetStore, create_master_data_table, import_dataset,
};
use matching_config::MatchingSettings;
use rossum_functions::annotation_updated::DATASETS_UNAVAILABLE;
use rossum_functions::master_data::Matcher;
use rossum_functions::{annotation_initialize, annotation_updated};
use rossum_rules::Settings;
use serde_json::{Value, json};
use webhook_model::rossum::{AnnotationContentEvent, HookResponse, Operation};

const LINE_ITEMS: usize = 100;
const WARM_UP: usize = 10;

struct Args {
    iterations: usize,
    vendors: usize,
    table: String,
}

fn args() -> Args {
    let mut args = Args {
        iterations: 300,
        vendors: 10_000,
        table: "bench-master-data".to_owned(),
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let mut value = || {
            given
                .next()
                .unwrap_or_else(|| panic!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--iterations" => args.iterations = value().parse().expect("--iterations N"),
            "--vendors" => args.vendors = value().parse().expect("--vendors N"),
            "--table" => args.table = value(),
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

/// One DynamoDB request (one attempt), as the SDK sent it.
#[derive(Debug, Clone)]
struct Sent {
    operation: String,
    started: Instant,
    ended: Instant,
}

/// Records every request a client sends, with its start and end. An attempt is told apart
/// from the others in flight by the tokio task sending it: the store runs each concurrent
/// Query in its own task, and a task sends one request at a time.
#[derive(Debug, Clone, Default)]
struct Requests(Arc<Mutex<RequestLog>>);

#[derive(Debug, Default)]
struct RequestLog {
    open: HashMap<Option<tokio::task::Id>, (String, Instant)>,
    sent: Vec<Sent>,
}

impl Requests {
    fn take(&self) -> Vec<Sent> {
        let mut log = self.0.lock().expect("no panics while logging");
        log.open.clear();
        std::mem::take(&mut log.sent)
    }
}

impl Intercept for Requests {
    fn name(&self) -> &'static str {
        "Requests"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // `X-Amz-Target: DynamoDB_20120810.Query` names the operation.
        let operation = context
            .request()
            .headers()
            .get("x-amz-target")
            .and_then(|target| target.rsplit('.').next())
            .unwrap_or("?")
            .to_owned();
        let mut log = self.0.lock().expect("no panics while logging");
        log.open
            .insert(tokio::task::try_id(), (operation, Instant::now()));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let ended = Instant::now();
        let mut log = self.0.lock().expect("no panics while logging");
        if let Some((operation, started)) = log.open.remove(&tokio::task::try_id()) {
            log.sent.push(Sent {
                operation,
                started,
                ended,
            });
        }
        Ok(())
    }
}

/// The longest chain of requests each sent after the previous one's answer: the round trips
/// a delivery waits for one after another (earliest end first finds the longest chain).
fn sequential_round_trips(sent: &[Sent]) -> usize {
    let mut by_end: Vec<&Sent> = sent.iter().collect();
    by_end.sort_by_key(|s| s.ended);
    let mut chain = 0;
    let mut last_end: Option<Instant> = None;
    for request in by_end {
        if last_end.is_none_or(|end| request.started >= end) {
            chain += 1;
            last_end = Some(request.ended);
        }
    }
    chain
}

/// "1 Query + 1 BatchGetItem", operations in the order first sent.
fn operations(sent: &[Sent]) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for request in sent {
        match counts.iter_mut().find(|(op, _)| *op == request.operation) {
            Some((_, count)) => *count += 1,
            None => counts.push((request.operation.clone(), 1)),
        }
    }
    counts
        .iter()
        .map(|(op, count)| format!("{count} {op}"))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The calls a store passed on, with the keys (or values) each asks for.
#[derive(Default)]
struct CallLog(Mutex<Vec<String>>);

impl CallLog {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().expect("no panics while logging"))
    }
}

impl DatasetObserver for CallLog {
    fn observe(&self, call: DatasetCall) {
        self.0
            .lock()
            .expect("no panics while logging")
            .push(call.to_string());
    }
}

type Logged<'s> = ObservedDatasetStore<'s, DynamoDatasetStore, CallLog>;

fn generated_vendor(index: usize) -> Value {
    const CITIES: [&str; 4] = ["Utrecht", "Berlin", "Brno", "Lyon"];
    json!({
        "vendor_id": format!("V-{index:06}"),
        "name": format!("Vendor {index} BV"),
        "vat_id": vendor_vat_id(index),
        "city": CITIES[index % CITIES.len()],
    })
}

fn vendor_vat_id(index: usize) -> String {
    format!("NL{index:09}B01")
}

/// Imports `records` as dataset `name` by replace, unless the table holds that content
/// already (then the import writes nothing).
async fn import(
    client: &Client,
    table: &str,
    name: &str,
    records: &[Value],
    index: &str,
    fuzzy: &[&str],
) {
    let mut import = DatasetImport::new(name, DatasetImportMode::Replace);
    import.indexes = vec![IndexSpec::parse(index).expect("an index spec")];
    import.fuzzy_fields = fuzzy.iter().map(|f| (*f).to_owned()).collect();
    let started = Instant::now();
    let mut shown = 0;
    let total = records.len();
    let summary = import_dataset(client, table, &import, records, &mut |done| {
        // A line every tenth, on stderr: the report keeps stdout only.
        if done * 10 / total.max(1) > shown {
            shown = done * 10 / total.max(1);
            eprintln!("{name}: {done} / {total}");
        }
    })
    .await
    .unwrap_or_else(|e| panic!("importing {name}: {e}"));
    assert!(
        summary.rejected.is_empty(),
        "{name}: {:?}",
        summary.rejected
    );
    let how = if summary.inserted == 0 {
        "already in the table, nothing written"
    } else {
        "imported"
    };
    eprintln!(
        "{name}: {total} records {how} in {:.1} s ({summary:?})",
        started.elapsed().as_secs_f64()
    );
}

fn event(body: &[u8]) -> AnnotationContentEvent {
    serde_json::from_slice(body).expect("a generated event")
}

fn matching(event: &AnnotationContentEvent) -> MatchingSettings {
    MatchingSettings::from_hook_settings(&event.settings)
        .expect("valid configurations")
        .expect("configurations")
}

/// How many datapoints the answer sets from master data (a value with its options), having
/// checked that it says nothing of unknown products or unreadable datasets.
fn matched(response: &HookResponse) -> usize {
    assert!(
        !response
            .messages
            .iter()
            .any(|m| m.content == DATASETS_UNAVAILABLE || m.content.contains("Unknown")),
        "{:?}",
        response.messages
    );
    response
        .operations
        .iter()
        .filter(|op| matches!(op, Operation::Replace { value, .. } if value.options.is_some()))
        .count()
}

/// One `initialize` of the 100-row product delivery.
async fn initialize_products(
    event: &AnnotationContentEvent,
    settings: &Settings,
    matching: &MatchingSettings,
    store: &Logged<'_>,
) {
    let matcher = Matcher::Configured {
        settings: matching,
        datasets: store,
    };
    let response = annotation_initialize::respond_with(event, settings, matcher)
        .await
        .expect("initialize answers");
    assert_eq!(
        matched(&response),
        2 * LINE_ITEMS,
        "product and unit on every row"
    );
}

/// What one case measured.
struct Row {
    case: String,
    rows: String,
    calls: Vec<String>,
    sent: Vec<Sent>,
    millis: Vec<f64>,
    requests_min_max: (usize, usize),
    sequential_min_max: (usize, usize),
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Runs `delivery` `WARM_UP + iterations` times; what the measured ones took.
async fn measure<F, Fut>(
    case: &str,
    rows: &str,
    iterations: usize,
    store: &Logged<'_>,
    requests: &Requests,
    mut delivery: F,
) -> Row
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let (mut millis, mut counts, mut chains) = (Vec::new(), Vec::new(), Vec::new());
    let (mut calls, mut sent) = (Vec::new(), Vec::new());
    for i in 0..WARM_UP + iterations {
        store.observer().take();
        requests.take();
        let started = Instant::now();
        delivery().await;
        let elapsed = started.elapsed();
        (calls, sent) = (store.observer().take(), requests.take());
        if i >= WARM_UP {
            millis.push(elapsed.as_secs_f64() * 1000.0);
            counts.push(sent.len());
            chains.push(sequential_round_trips(&sent));
        }
    }
    millis.sort_by(f64::total_cmp);
    let min_max = |v: &[usize]| {
        (
            v.iter().copied().min().unwrap_or(0),
            v.iter().copied().max().unwrap_or(0),
        )
    };
    Row {
        case: case.to_owned(),
        rows: rows.to_owned(),
        calls,
        sent,
        millis,
        requests_min_max: min_max(&counts),
        sequential_min_max: min_max(&chains),
    }
}

fn span((min, max): (usize, usize)) -> String {
    if min == max {
        min.to_string()
    } else {
        format!("{min}-{max}")
    }
}

fn print_table(rows: &[Row], iterations: usize) {
    println!(
        "| case | rows looked up | store calls (keys asked) | DynamoDB requests | sequential round trips | p50 ms | p99 ms |"
    );
    println!("|---|---:|---|---|---:|---:|---:|");
    for row in rows {
        let requests = match row.requests_min_max {
            (min, max) if min == max => format!("{min}: {}", operations(&row.sent)),
            range => format!("{} (last: {})", span(range), operations(&row.sent)),
        };
        println!(
            "| {} | {} | {} | {} | {} | {:.2} | {:.2} |",
            row.case,
            row.rows,
            row.calls.join(", "),
            requests,
            span(row.sequential_min_max),
            percentile(&row.millis, 0.5),
            percentile(&row.millis, 0.99),
        );
    }
    println!(
        "\n{iterations} deliveries per case after {WARM_UP} unmeasured; a sequential round trip is one of the longest chain of requests each sent after the previous one's answer."
    );
}

fn main() {
    let args = args();
    let endpoint = std::env::var("DYNAMODB_ENDPOINT")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .expect("DYNAMODB_ENDPOINT is not set: run ./scripts/bench, or export DYNAMODB_ENDPOINT=$(scripts/dynamodb-local start)");
    // One thread, as a Lambda function's runtime is.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run(&args, &endpoint));
}

async fn run(args: &Args, endpoint: &str) {
    let client = dynamodb_support::connect(Some(endpoint)).await;
    let table = &args.table;
    create_master_data_table(&client, table)
        .await
        .unwrap_or_else(|e| panic!("creating {table}: {e}"));
    let products: Vec<Value> = (0..PRODUCTS).map(generated_product).collect();
    import(&client, table, "products", &products, "code", &[]).await;
    let vendors: Vec<Value> = (0..args.vendors).map(generated_vendor).collect();
    import(&client, table, "vendors", &vendors, "vat_id", &[]).await;

    let requests = Requests::default();
    let counted_client = Client::from_conf(
        client
            .config()
            .to_builder()
            .interceptor(requests.clone())
            .build(),
    );
    // Every delivery reads the heads, as the first one in a Lambda container does.
    let cold_store =
        DynamoDatasetStore::new(counted_client.clone(), table).with_head_cache_ttl(Duration::ZERO);
    let cold = ObservedDatasetStore::new(&cold_store, CallLog::default());
    // Heads kept for the store's default few seconds, as later deliveries see them.
    let warm_store = DynamoDatasetStore::new(counted_client, table);
    let warm = ObservedDatasetStore::new(&warm_store, CallLog::default());
    let settings = Settings::default();
    let iterations = args.iterations;

    let initialize = event(&product_annotation_body(INITIALIZE_PAYLOAD, LINE_ITEMS));
    let updated = event(&product_annotation_body(UPDATED_PAYLOAD, LINE_ITEMS));
    let products_matching = matching(&initialize);
    let vendor_event = vendor_event(args.vendors);
    let vendor_matching = matching(&vendor_event);

    let mut rows = Vec::new();
    for (case, store) in [
        ("`initialize`, 100 rows, product per line item", &cold),
        ("`initialize`, 100 rows, head cached", &warm),
    ] {
        rows.push(
            measure(case, "100", iterations, store, &requests, || {
                initialize_products(&initialize, &settings, &products_matching, store)
            })
            .await,
        );
    }
    rows.push(
        measure(
            "`updated`, 1 row's code changed",
            "1",
            iterations,
            &cold,
            &requests,
            || async {
                let matcher = Matcher::Configured {
                    settings: &products_matching,
                    datasets: &cold,
                };
                let response = annotation_updated::respond_with(&updated, &settings, matcher)
                    .await
                    .expect("updated answers");
                assert_eq!(matched(&response), 2, "product and unit of the edited row");
            },
        )
        .await,
    );
    let names = ["products".to_owned()];
    let index = IndexSpec::parse("code").expect("an index spec");
    // Keys as matching asks for them: typed (a string code), as the index stores them.
    let codes: Vec<String> = (0..LINE_ITEMS)
        .map(|r| scalar_key(&json!(product_code(row_product(r)))).expect("a string key"))
        .collect();
    rows.push(
        measure(
            "100 rows as 100 sequential single-key finds (floor avoided)",
            "100",
            iterations,
            &cold,
            &requests,
            || async {
                let described = cold.describe(&names).await.expect("describe");
                let products = &described["products"];
                for code in &codes {
                    let found = cold
                        .find(products, &index, std::slice::from_ref(code))
                        .await
                        .expect("find");
                    assert_eq!(found[0].len(), 1, "{code}");
                }
            },
        )
        .await,
    );
    rows.push(
        measure(
            "header: one vendor by VAT id (`initialize`)",
            "1 (header)",
            iterations,
            &cold,
            &requests,
            || async {
                let matcher = Matcher::Configured {
                    settings: &vendor_matching,
                    datasets: &cold,
                };
                let response =
                    annotation_initialize::respond_with(&vendor_event, &settings, matcher)
                        .await
                        .expect("initialize answers");
                assert_eq!(matched(&response), 1, "vendor_match");
            },
        )
        .await,
    );
    for row in &mut rows {
        // Summarise the calls of the last delivery: "find(1) x100" rather than 100 entries.
        if row.calls.len() > 3 {
            let first = row.calls[0].clone();
            let rest = row.calls[1..].to_vec();
            if rest.iter().all(|c| *c == rest[0]) {
                row.calls = vec![first, format!("{} x{}", rest[0], rest.len())];
            }
        }
    }
    println!(
        "{PRODUCTS} products (`--index code`), {} vendors (`--index vat_id`), DynamoDB Local on loopback, one-thread runtime\n",
        args.vendors
    );
    print_table(&rows, iterations);
    let line_items = &rows[0];
    println!(
        "\nThe 100-row configuration waits for {} sequential DynamoDB round trips (the issue's bound: 2, describe + one wave of concurrent Queries); with the head cached, {}.",
        span(line_items.sequential_min_max),
        span(rows[1].sequential_min_max),
    );
}

/// An `initialize` delivery whose supplier VAT id is a generated vendor's, with one header
/// configuration: the vendor by that VAT id.
fn vendor_event(vendors: usize) -> AnnotationContentEvent {
    let mut event = product_annotation_event(INITIALIZE_PAYLOAD, LINE_ITEMS);
    let vat_id = vendor_vat_id(vendors / 2);
    for section in event["annotation"]["content"]
        .as_array_mut()
        .expect("content")
    {
        for node in section["children"].as_array_mut().into_iter().flatten() {
            if node["schema_id"] == "sender_vat_id" {
                node["content"]["value"] = json!(vat_id);
            }
        }
    }
    event["settings"]["configurations"] = json!([{
        "name": "Vendor by VAT id",
        "source": {"dataset": "vendors", "queries": [{"find": {"vat_id": "{sender_vat_id}"}}]},
        "mapping": {"target_schema_id": "vendor_match", "dataset_key": "vendor_id",
                    "label_template": "{name}, {city} ({vendor_id})"},
        "result_actions": {"one_match_found": {"select": "best_match"}}
    }]);
    serde_json::from_value(event).expect("a generated event")
}
