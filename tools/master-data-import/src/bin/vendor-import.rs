//! `vendor-import`: load a vendor master file into the master-data table.

use std::path::PathBuf;
use std::process::ExitCode;

use dynamodb_support::connect;
use master_data_import::progress::Progress;
use master_data_import::vendors::import_into_local_file;
use master_data_store::{ImportSummary, create_master_data_table, import_vendors};
use vendor_matching::read_vendor_file;

const USAGE: &str = "\
Import vendors from a CSV (header row) or JSON Lines file into the vendor master data.

Usage: vendor-import FILE [--table NAME] [--dynamodb-endpoint URL] [--create-table]
       vendor-import FILE --local-file VENDORS.jsonl

Columns: vendor_id and name (required); vat_id, iban, street, city, postal_code, country
(optional); any other column is kept as an attribute.

Options:
  --table NAME              DynamoDB table (default: $VENDOR_TABLE, else vendors)
  --dynamodb-endpoint URL   DynamoDB endpoint, e.g. DynamoDB Local (default: $DYNAMODB_ENDPOINT,
                            else AWS with the environment's credentials and region)
  --create-table            create the table first if it does not exist (for DynamoDB Local)
  --local-file PATH         import into a JSON Lines file for `local-server --vendors PATH`
  --fail-on-rejected        exit with status 3 when any row was rejected
  -h, --help                print this help

Rejected rows are reported with their line number and reason and nothing of them is written.
Importing the same file again changes nothing.";

struct Options {
    file: PathBuf,
    table: String,
    endpoint: Option<String>,
    create_table: bool,
    local_file: Option<PathBuf>,
    fail_on_rejected: bool,
}

fn parse_options(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut options = Options {
        file: PathBuf::new(),
        table: env("VENDOR_TABLE").unwrap_or_else(|| "vendors".to_owned()),
        endpoint: env("DYNAMODB_ENDPOINT"),
        create_table: false,
        local_file: None,
        fail_on_rejected: false,
    };
    let mut file = None;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--table" => options.table = value("--table")?,
            "--dynamodb-endpoint" => options.endpoint = Some(value("--dynamodb-endpoint")?),
            "--local-file" => options.local_file = Some(PathBuf::from(value("--local-file")?)),
            "--create-table" => options.create_table = true,
            "--fail-on-rejected" => options.fail_on_rejected = true,
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag:?}")),
            path if file.is_none() => file = Some(PathBuf::from(path)),
            extra => return Err(format!("unexpected argument {extra:?}")),
        }
    }
    options.file = file.ok_or("the vendor file to import is missing")?;
    Ok(Some(options))
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_options(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("vendor-import: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let read = match read_vendor_file(&options.file) {
        Ok(read) => read,
        Err(e) => {
            eprintln!("vendor-import: cannot read {}: {e}", options.file.display());
            return ExitCode::FAILURE;
        }
    };
    for row in &read.rejected {
        eprintln!(
            "{}:{}: rejected: {}",
            options.file.display(),
            row.line,
            row.reason
        );
    }
    let vendors: Vec<_> = read.vendors.into_iter().map(|(_, v)| v).collect();
    let outcome = match &options.local_file {
        Some(path) => {
            import_into_local_file(path, &vendors).map_err(|e| format!("{}: {e}", path.display()))
        }
        None => import_into_dynamodb(&options, &vendors).await,
    };
    match outcome {
        Ok(ImportSummary {
            inserted,
            updated,
            unchanged,
        }) => {
            println!(
                "inserted {inserted}, updated {updated}, unchanged {unchanged}, rejected {}",
                read.rejected.len()
            );
            if options.fail_on_rejected && !read.rejected.is_empty() {
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(message) => {
            eprintln!("vendor-import: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn import_into_dynamodb(
    options: &Options,
    vendors: &[vendor_matching::Vendor],
) -> Result<ImportSummary, String> {
    let client = connect(options.endpoint.as_deref()).await;
    if options.create_table {
        create_master_data_table(&client, &options.table)
            .await
            .map_err(|e| e.to_string())?;
    }
    let mut progress = Progress::new(vendors.len(), "vendors");
    let summary = import_vendors(&client, &options.table, vendors, &mut |done| {
        progress.report(done)
    })
    .await
    .map_err(|e| e.to_string());
    progress.finish();
    summary
}
