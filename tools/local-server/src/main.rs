//! `local-server`: run every webhook function on a laptop, no AWS account needed.

mod datasets;

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use std::path::PathBuf;
use std::sync::Arc;

use contractfit_store::{ContractFitStore, DynamoContractFitStore, InMemoryContractFitStore};
use dataset_store::DatasetStore;
use datasets::{DatasetFlags, DatasetSpec};
use dynamodb_support::connect;
use idempotency::{IdempotencyStore, InMemoryIdempotencyStore};
use local_server::{
    Background, Dependencies, Router, SAMPLE_VENDORS_CSV, endpoints, function_list, serve,
};
use master_data_store::{DynamoDatasetStore, DynamoVendorStore};
use record_store::{
    DynamoRecordStore, InMemoryRecordStore, InkitRecordStore, RecordStore, create_records_table,
};
use vendor_matching::{InMemoryVendorStore, VendorStore, read_vendors};
use webhook_endpoint::{EndpointConfig, SecretSource, init_tracing};

const USAGE: &str = "\
Serve every webhook function locally, at the same paths as the deployed HTTP API.

Usage: local-server [--port PORT] [--host ADDRESS] [--vendors FILE | --dynamodb-endpoint URL]
                    [--dataset NAME=FILE [--index NAME.FIELD]... [--fuzzy-index NAME.FIELD]...]...
       local-server --list-functions [--json]

Options:
  --port PORT               port to listen on (default: $PORT, else 3000; 0 picks a free port)
  --host ADDRESS            address to bind (default: 127.0.0.1)
  --vendors FILE            vendor master data for matching, CSV or JSON Lines
                            (default: the built-in sample, events/master-data/vendors.csv)
  --dataset NAME=FILE       a master-data dataset for matching configurations, read from a
                            CSV (header row, `;` or `,`), JSON (array of objects) or JSON
                            Lines file; repeatable (default: no datasets)
  --index NAME.FIELD        look dataset NAME up by FIELD, a dotted path for a nested one
                            (NAME.vendor.id) or FIELD1+FIELD2 for a compound key; repeatable.
                            A query must name an indexed field
  --fuzzy-index NAME.FIELD  index FIELD of dataset NAME for fuzzy queries; repeatable
  --dynamodb-endpoint URL   match against DynamoDB at URL (e.g. DynamoDB Local) instead, its
                            vendors and datasets as imported (no --vendors or --dataset)
                            (default: $DYNAMODB_ENDPOINT; with $VENDOR_TABLE set and no
                            endpoint, the AWS account of the environment's credentials)
  --vendor-table NAME       the master-data table (default: $VENDOR_TABLE, else vendors)
  --records-table NAME      keep export, status, email, Inkit, contract.fit and idempotency
                            records in this DynamoDB table (default: $RECORDS_TABLE; with a
                            DynamoDB endpoint, records; else memory)
  --list-functions          print every function (name, platform, route or what drives it)
                            and exit; with --json, as the JSON the scripts and tests read
  -h, --help                print this help

Inkit's API (document details on DOCUMENT_CREATE_FINISHED): INKIT_API_URL (default
https://api.inkit.com/v1; plain http:// only to loopback), INKIT_API_TOKEN (unset: events are
recorded without details), INKIT_API_TIMEOUT_MS (default 10000), INKIT_API_DEADLINE_MS (default 20000).

Secrets come from ROSSUM_HOOK_SECRET, CONTRACTFIT_WEBHOOK_TOKEN and, since Inkit gives every
webhook its own key, INKIT_<EVENT>_WEBHOOK_SECRET per Inkit function (for example
INKIT_DOCUMENT_CREATE_FINISHED_WEBHOOK_SECRET), falling back to INKIT_WEBHOOK_SECRET (each
with a _PREVIOUS companion for rotation). Unset ones are replaced by the published development
secrets (for Inkit: inkit-<event>-development-secret, one per webhook), and the server says so
at start-up. ROSSUM_MAX_EVENT_AGE_SECONDS (unset
or 0: off) refuses Rossum deliveries whose signed timestamp is older than that many seconds.";

struct Options {
    host: IpAddr,
    port: u16,
    vendors: VendorSource,
    /// The `--dataset` files; empty with DynamoDB, whose datasets are the table's.
    datasets: Vec<DatasetSpec>,
    records: RecordsTarget,
    /// `--list-functions`: print the registry and exit.
    list: Option<List>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Table,
    Json,
}

/// Where the export and status records go: memory unless a table is named or DynamoDB
/// Local is in use.
struct RecordsTarget {
    table: Option<String>,
    endpoint: Option<String>,
}

/// Where the local server's vendor master data comes from.
enum VendorSource {
    BuiltInSample,
    File(PathBuf),
    DynamoDb {
        endpoint: Option<String>,
        table: String,
    },
}

fn parse_options(
    args: impl Iterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Options>, String> {
    let env_port = env("PORT");
    let mut vendor_file: Option<PathBuf> = None;
    let mut dataset_flags = DatasetFlags::default();
    let mut dynamodb_endpoint = env("DYNAMODB_ENDPOINT").filter(|v| !v.is_empty());
    let mut vendor_table = env("VENDOR_TABLE").filter(|v| !v.is_empty());
    let mut records_table = env("RECORDS_TABLE").filter(|v| !v.is_empty());
    let mut host: IpAddr = [127, 0, 0, 1].into();
    let mut port = match env_port {
        Some(p) => p
            .parse()
            .map_err(|_| format!("PORT must be a port number, not {p:?}"))?,
        None => 3000,
    };
    let (mut list, mut json) = (None, false);
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or(format!("{name} needs a value"))
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--list-functions" => list = Some(List::Table),
            "--json" => json = true,
            "--port" => {
                let v = value()?;
                port = v
                    .parse()
                    .map_err(|_| format!("--port must be a port number, not {v:?}"))?;
            }
            "--host" => {
                let v = value()?;
                host = v
                    .parse()
                    .map_err(|_| format!("--host must be an IP address, not {v:?}"))?;
            }
            "--vendors" => vendor_file = Some(PathBuf::from(value()?)),
            "--dataset" => dataset_flags.add_dataset(&value()?)?,
            "--index" => dataset_flags.add_index(&value()?)?,
            "--fuzzy-index" => dataset_flags.add_fuzzy_index(&value()?)?,
            "--dynamodb-endpoint" => dynamodb_endpoint = Some(value()?),
            "--vendor-table" => vendor_table = Some(value()?),
            "--records-table" => records_table = Some(value()?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let records = RecordsTarget {
        table: match (&records_table, &dynamodb_endpoint) {
            (None, Some(_)) => Some("records".to_owned()),
            _ => records_table,
        },
        endpoint: dynamodb_endpoint.clone(),
    };
    let vendors = match (vendor_file, dynamodb_endpoint, vendor_table) {
        (Some(_), Some(_), _) => {
            return Err("--vendors and --dynamodb-endpoint exclude each other".to_owned());
        }
        (Some(file), None, _) => VendorSource::File(file),
        (None, Some(endpoint), table) => VendorSource::DynamoDb {
            endpoint: Some(endpoint),
            table: table.unwrap_or_else(|| "vendors".to_owned()),
        },
        (None, None, Some(table)) => VendorSource::DynamoDb {
            endpoint: None,
            table,
        },
        (None, None, None) => VendorSource::BuiltInSample,
    };
    if matches!(vendors, VendorSource::DynamoDb { .. }) && !dataset_flags.is_empty() {
        return Err(
            "--dataset, --index and --fuzzy-index are for files; with DynamoDB the datasets \
             and their indexes are the table's, as imported"
                .to_owned(),
        );
    }
    let datasets = dataset_flags.resolve()?;
    if json && list.is_none() {
        return Err("--json goes with --list-functions".to_owned());
    }
    Ok(Some(Options {
        host,
        port,
        vendors,
        datasets,
        records,
        list: list.map(|l| if json { List::Json } else { l }),
    }))
}

/// The registry, read from the function values: nothing is built, opened or read.
fn print_functions(list: List) {
    let functions = function_list();
    let text = match list {
        List::Json => format!("{functions:#}\n"),
        List::Table => functions
            .as_array()
            .into_iter()
            .flatten()
            .map(|function| {
                let route = function["route"].as_str().map_or_else(
                    || function["source"].as_str().unwrap_or_default().to_owned(),
                    |r| format!("POST {r}"),
                );
                format!(
                    "{:<32} {:<12} {route}\n",
                    function["name"].as_str().unwrap_or_default(),
                    function["platform"].as_str().unwrap_or_default()
                )
            })
            .collect(),
    };
    // A reader that stops early (`| head`) is not an error worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_options(std::env::args().skip(1), |name| std::env::var(name).ok()) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("local-server: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(list) = options.list {
        print_functions(list);
        return ExitCode::SUCCESS;
    }
    init_tracing();
    let config = EndpointConfig::from_env(SecretSource::EnvironmentOrDevelopmentDefaults);
    config.log_startup_findings(&[]);
    for dev in &config.development_secrets_in_use {
        tracing::warn!(
            "{} is not set: using its PUBLISHED DEVELOPMENT SECRET (see README). Never expose this server.",
            dev.variable
        );
    }
    let (vendors, datasets) = match load_master_data(&options.vendors, options.datasets).await {
        Ok(stores) => stores,
        Err(message) => {
            eprintln!("local-server: {message}");
            return ExitCode::FAILURE;
        }
    };
    let (records, inkit_records, contractfit, idempotency) =
        match load_records(&options.records).await {
            Ok(stores) => stores,
            Err(message) => {
                eprintln!("local-server: {message}");
                return ExitCode::FAILURE;
            }
        };
    // What the stream and the worker do on AWS is done in-process, retried with backoff.
    let deps = Dependencies::given(Background::InProcess)
        .with_vendors(vendors)
        .with_datasets(datasets)
        .with_records(records)
        .with_inkit_records(inkit_records)
        // Without INKIT_API_TOKEN it warns, and events are recorded without document details.
        .with_inkit_api(inkit_client::inkit_api_from_env())
        .with_contractfit(contractfit)
        .with_idempotency(idempotency);
    let router = Router::new(endpoints(&config, &deps));
    let address = SocketAddr::new(options.host, options.port);
    let listener = match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("local-server: cannot listen on {address}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let bound = listener.local_addr().expect("bound socket has an address");
    for route in router.routes() {
        println!("POST http://{bound}{route}");
    }
    // Tests and scripts wait for this exact line.
    println!("listening on http://{bound}");
    match serve(listener, router).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("local-server: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The vendors and the datasets: both from the files (or the built-in vendor sample), or both
/// from the master-data table.
async fn load_master_data(
    source: &VendorSource,
    datasets: Vec<DatasetSpec>,
) -> Result<(Arc<dyn VendorStore>, Arc<dyn DatasetStore>), String> {
    let vendors: Arc<dyn VendorStore> = match source {
        VendorSource::BuiltInSample => {
            let read =
                read_vendors(SAMPLE_VENDORS_CSV.as_bytes(), false).map_err(|e| e.to_string())?;
            let store = InMemoryVendorStore::new(read.vendors.into_iter().map(|(_, v)| v));
            tracing::info!(
                "vendor master data: {} vendors of the built-in sample",
                store.len()
            );
            Arc::new(store)
        }
        VendorSource::File(path) => {
            let (store, rejected) = InMemoryVendorStore::load(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            for row in &rejected {
                tracing::warn!(
                    "{}:{}: row skipped: {}",
                    path.display(),
                    row.line,
                    row.reason
                );
            }
            tracing::info!(
                "vendor master data: {} vendors from {}",
                store.len(),
                path.display()
            );
            Arc::new(store)
        }
        VendorSource::DynamoDb { endpoint, table } => {
            let client = connect(endpoint.as_deref()).await;
            tracing::info!(
                "vendor master data and datasets: DynamoDB table {table} at {}",
                endpoint
                    .as_deref()
                    .unwrap_or("the environment's AWS account")
            );
            return Ok((
                Arc::new(DynamoVendorStore::new(client.clone(), table.clone())),
                Arc::new(DynamoDatasetStore::new(client, table.clone())),
            ));
        }
    };
    Ok((vendors, Arc::new(datasets::load(datasets)?)))
}

/// The stores records go to: one records table (or memory) behind four interfaces.
type RecordStores = (
    Arc<dyn RecordStore>,
    Arc<dyn InkitRecordStore>,
    Arc<dyn ContractFitStore>,
    Arc<dyn IdempotencyStore>,
);

async fn load_records(target: &RecordsTarget) -> Result<RecordStores, String> {
    let Some(table) = target.table.as_deref() else {
        tracing::info!(
            "records: in memory, lost when the server stops (--records-table for DynamoDB)"
        );
        let records = Arc::new(InMemoryRecordStore::new());
        return Ok((
            records.clone(),
            records,
            Arc::new(InMemoryContractFitStore::new()),
            Arc::new(InMemoryIdempotencyStore::new()),
        ));
    };
    let endpoint = target.endpoint.as_deref();
    let client = connect(endpoint).await;
    if endpoint.is_some() {
        // DynamoDB Local starts empty: create the table as template.yaml does.
        create_records_table(&client, table)
            .await
            .map_err(|e| e.to_string())?;
    }
    tracing::info!(
        "records: DynamoDB table {table} at {}",
        endpoint.unwrap_or("the environment's AWS account")
    );
    let records = Arc::new(DynamoRecordStore::new(client.clone(), table));
    Ok((
        records.clone(),
        records.clone(),
        Arc::new(DynamoContractFitStore::new(client, table)),
        records,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Options, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        parse_options(args.iter().map(|a| (*a).to_owned()), |name| {
            env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
        .map(|options| options.expect("not --help"))
    }

    #[test]
    fn datasets_and_their_indexes_come_from_repeated_flags() {
        let options = parse(
            &[
                "--dataset",
                "purchase_orders=po.json",
                "--dataset=products=products.jsonl",
                "--index",
                "purchase_orders.po_number",
                "--index=purchase_orders.vendor.id+po_number",
                "--fuzzy-index",
                "products.name",
            ],
            &[],
        )
        .unwrap();
        let summary: Vec<(String, String, Vec<String>, Vec<String>)> = options
            .datasets
            .iter()
            .map(|d| {
                (
                    d.name.clone(),
                    d.path.display().to_string(),
                    d.indexes.iter().map(ToString::to_string).collect(),
                    d.fuzzy_fields.clone(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "purchase_orders".to_owned(),
                    "po.json".to_owned(),
                    vec!["po_number".to_owned(), "po_number+vendor.id".to_owned()],
                    vec![]
                ),
                (
                    "products".to_owned(),
                    "products.jsonl".to_owned(),
                    vec![],
                    vec!["name".to_owned()]
                ),
            ]
        );
        assert!(matches!(options.vendors, VendorSource::BuiltInSample));
        assert!(parse(&[], &[]).unwrap().datasets.is_empty());
    }

    #[test]
    fn malformed_or_dangling_indexes_are_errors_naming_them() {
        let error = |args: &[&str]| parse(args, &[]).err().unwrap();
        assert_eq!(
            error(&["--index", "po_number"]),
            "--index wants NAME.FIELD (NAME.FIELD1+FIELD2 for a compound key), not \"po_number\""
        );
        assert_eq!(
            error(&["--dataset", "orders=o.json", "--index", "order.po_number"]),
            "--index \"order.po_number\" names dataset \"order\", which no --dataset gives"
        );
        assert_eq!(error(&["--index"]), "--index needs a value");
        assert!(error(&["--dataset", "orders"]).starts_with("--dataset wants NAME=FILE"));
    }

    #[test]
    fn dataset_files_and_dynamodb_exclude_each_other() {
        for env in [
            &[("DYNAMODB_ENDPOINT", "http://127.0.0.1:8000")][..],
            &[("VENDOR_TABLE", "master-data")],
        ] {
            let error = parse(&["--dataset", "orders=o.json"], env).err().unwrap();
            assert!(error.contains("with DynamoDB the datasets"), "{error}");
        }
        let options = parse(&["--dynamodb-endpoint", "http://127.0.0.1:8000"], &[]).unwrap();
        assert!(options.datasets.is_empty());
        assert!(matches!(options.vendors, VendorSource::DynamoDb { .. }));
    }
}
