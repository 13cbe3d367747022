//! The command line of `dataset-import`: its options.

use std::path::PathBuf;
use std::time::Duration;

use dataset_store::IndexSpec;
use master_data_store::{DatasetImport, DatasetImportMode};

pub const USAGE: &str = "\
Import a dataset file into the master-data table, as Rossum's Master Data Hub does.

Usage: dataset-import NAME FILE [--index FIELD|F1+F2]... [--fuzzy-index FIELD]...
                      [--mode replace|update|replace-by-keys|delete] [--key FIELD]...
                      [--table NAME] [--dynamodb-endpoint URL] [--create-table]
                      [--grace-seconds N] [--fail-on-rejected]

FILE is CSV (header row; ';' or ',' detected), a JSON array of objects or JSON Lines.

Modes:
  replace (default)   the dataset becomes the file, switched to at once: lookups see the old
                      records or the new ones, never a mix. Sets the indexes.
  update              records whose --key values are in the file take the file's record, the
                      file's other records are appended, every other record is kept
  replace-by-keys     as update, and records whose key is not in the file are deleted
  delete              records whose --key values are in the file are deleted

Options:
  --index FIELD             an equality index (dotted paths allowed; F1+F2 for a compound key);
                            repeatable; queries must name an indexed field
  --fuzzy-index FIELD       a field indexed for fuzzy queries; repeatable
  --key FIELD               the key fields of update, replace-by-keys and delete; repeatable
  --table NAME              DynamoDB table (default: $VENDOR_TABLE, else vendors)
  --dynamodb-endpoint URL   DynamoDB endpoint, e.g. DynamoDB Local (default: $DYNAMODB_ENDPOINT,
                            else AWS with the environment's credentials and region)
  --create-table            create the table first if it does not exist (for DynamoDB Local)
  --grace-seconds N         how long a replaced dataset stays readable by lookups that started
                            before the switch, before it is deleted (default 60)
  --fail-on-rejected        exit with status 3 when any row was rejected
  -h, --help                print this help

Rejected rows are reported with their line (or record) number and reason and nothing of them
is written. Importing the same file again writes nothing.";

pub struct Options {
    pub import: DatasetImport,
    pub file: PathBuf,
    pub table: String,
    pub endpoint: Option<String>,
    pub create_table: bool,
    pub fail_on_rejected: bool,
}

/// The options of `args` (without the program name), `None` for `--help`.
pub fn parse_options(
    mut args: impl Iterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Options>, String> {
    let mut positional = Vec::new();
    let mut indexes = Vec::new();
    let mut fuzzy_fields = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut mode = DatasetImportMode::Replace;
    let mut grace_period = master_data_store::datasets::DEFAULT_GRACE_PERIOD;
    let mut table = env("VENDOR_TABLE").unwrap_or_else(|| "vendors".to_owned());
    let mut endpoint = env("DYNAMODB_ENDPOINT");
    let (mut create_table, mut fail_on_rejected) = (false, false);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--index" => indexes.push(IndexSpec::parse(&value("--index")?)?),
            "--fuzzy-index" => fuzzy_fields.push(value("--fuzzy-index")?),
            "--key" => keys.push(value("--key")?),
            "--mode" => {
                mode = match value("--mode")?.as_str() {
                    "replace" => DatasetImportMode::Replace,
                    "update" => DatasetImportMode::UpdateByKeys,
                    "replace-by-keys" => DatasetImportMode::ReplaceByKeys,
                    "delete" => DatasetImportMode::DeleteByKeys,
                    other => {
                        return Err(format!(
                            "unknown mode {other:?} (replace, update, replace-by-keys or delete)"
                        ));
                    }
                }
            }
            "--table" => table = value("--table")?,
            "--dynamodb-endpoint" => endpoint = Some(value("--dynamodb-endpoint")?),
            "--grace-seconds" => {
                let text = value("--grace-seconds")?;
                let seconds: u64 = text
                    .parse()
                    .map_err(|_| format!("--grace-seconds {text:?} is not a number of seconds"))?;
                grace_period = Duration::from_secs(seconds);
            }
            "--create-table" => create_table = true,
            "--fail-on-rejected" => fail_on_rejected = true,
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag:?}")),
            _ => positional.push(arg),
        }
    }
    let [name, file]: [String; 2] =
        positional
            .try_into()
            .map_err(|given: Vec<String>| match given.len() {
                0 | 1 => "the dataset NAME and the FILE to import are both needed".to_owned(),
                _ => format!("unexpected argument {:?}", given[2]),
            })?;
    master_data_store::datasets::check_dataset_name(&name)?;
    let key = match (mode.by_keys(), keys.is_empty()) {
        (true, true) => return Err("this mode needs the key fields (--key FIELD)".to_owned()),
        (false, false) => return Err("--key is for update, replace-by-keys and delete".to_owned()),
        (true, false) => Some(IndexSpec::parse(&keys.join("+"))?),
        (false, true) => None,
    };
    let mut import = DatasetImport::new(name, mode);
    import.indexes = indexes;
    import.fuzzy_fields = fuzzy_fields;
    import.key = key;
    import.grace_period = grace_period;
    Ok(Some(Options {
        import,
        file: PathBuf::from(file),
        table,
        endpoint,
        create_table,
        fail_on_rejected,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Options>, String> {
        parse_options(args.iter().map(|a| (*a).to_owned()), |_| None)
    }

    #[test]
    fn a_replace_takes_its_indexes_and_defaults() {
        let options = parse(&[
            "products",
            "products.csv",
            "--index",
            "code",
            "--index",
            "vendor.id+code",
            "--fuzzy-index",
            "name",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(options.import.name, "products");
        assert_eq!(options.import.mode, DatasetImportMode::Replace);
        assert_eq!(options.import.indexes.len(), 2);
        assert_eq!(options.import.indexes[1].to_string(), "code+vendor.id");
        assert_eq!(options.import.fuzzy_fields, ["name"]);
        assert_eq!(options.table, "vendors");
        assert_eq!(options.file, PathBuf::from("products.csv"));
    }

    #[test]
    fn by_keys_modes_need_keys_and_replace_refuses_them() {
        let options = parse(&[
            "po", "f.json", "--mode", "update", "--key", "a", "--key", "b",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(options.import.key.unwrap().to_string(), "a+b");
        let err = parse(&["po", "f.json", "--mode", "delete"]).err().unwrap();
        assert!(err.contains("--key"), "{err}");
        let err = parse(&["po", "f.json", "--key", "a"]).err().unwrap();
        assert!(err.contains("--key is for"), "{err}");
        let err = parse(&["po", "f.json", "--mode", "merge"]).err().unwrap();
        assert!(err.contains("unknown mode"), "{err}");
    }

    #[test]
    fn missing_or_extra_arguments_and_bad_names_are_refused() {
        assert!(parse(&["po"]).err().unwrap().contains("NAME and the FILE"));
        assert!(parse(&["po", "a", "b"]).err().unwrap().contains("\"b\""));
        assert!(parse(&["p#o", "a"]).err().unwrap().contains("dataset name"));
        assert!(parse(&["po", "a", "--index", "x+"]).is_err());
        assert!(parse(&["--help"]).unwrap().is_none());
    }
}
