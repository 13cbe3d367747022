//! `dataset-import`: load a dataset file into the master-data table.

use std::process::ExitCode;

use dataset_store::read_dataset_file;
use dynamodb_support::connect;
use master_data_import::datasets::{Options, USAGE, parse_options};
use master_data_import::progress::Progress;
use master_data_store::{DatasetImportSummary, create_master_data_table, import_dataset};
use serde_json::Value;

#[tokio::main]
async fn main() -> ExitCode {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let options = match parse_options(std::env::args().skip(1), env) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("dataset-import: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let read = match read_dataset_file(&options.file) {
        Ok(read) => read,
        Err(e) => {
            eprintln!(
                "dataset-import: cannot read {}: {e}",
                options.file.display()
            );
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
    match import_into_dynamodb(&options, &read.records).await {
        Ok(summary) => {
            for row in &summary.rejected {
                // The reader gives records, not their lines: the record's place in the file.
                eprintln!(
                    "{}: record {}: rejected: {}",
                    options.file.display(),
                    row.index + 1,
                    row.reason
                );
            }
            let rejected = read.rejected.len() + summary.rejected.len();
            println!(
                "inserted {}, updated {}, unchanged {}, deleted {}, rejected {rejected}",
                summary.inserted, summary.updated, summary.unchanged, summary.deleted
            );
            if options.fail_on_rejected && rejected > 0 {
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(message) => {
            eprintln!("dataset-import: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn import_into_dynamodb(
    options: &Options,
    records: &[Value],
) -> Result<DatasetImportSummary, String> {
    let client = connect(options.endpoint.as_deref()).await;
    if options.create_table {
        create_master_data_table(&client, &options.table)
            .await
            .map_err(|e| e.to_string())?;
    }
    let mut progress = Progress::new(records.len(), "records");
    let summary = import_dataset(
        &client,
        &options.table,
        &options.import,
        records,
        &mut |done| progress.report(done),
    )
    .await
    .map_err(|e| e.to_string());
    progress.finish();
    summary
}
