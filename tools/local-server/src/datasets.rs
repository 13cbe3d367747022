//! The local server's master-data datasets from files: `--dataset NAME=FILE`,
//! `--index NAME.FIELD` and `--fuzzy-index NAME.FIELD`, loaded into an in-memory store.

use std::path::PathBuf;

use dataset_store::{Dataset, InMemoryDatasetStore, IndexSpec, read_dataset_file};

/// The dataset flags as given, checked for shape; [`DatasetFlags::resolve`] pairs them up.
#[derive(Debug, Default)]
pub struct DatasetFlags {
    files: Vec<(String, PathBuf)>,
    /// `NAME.FIELD...` as given, with the flag's name.
    indexes: Vec<(&'static str, String)>,
}

/// One dataset to load: its file and what it is indexed by.
#[derive(Debug, PartialEq, Eq)]
pub struct DatasetSpec {
    pub name: String,
    pub path: PathBuf,
    pub indexes: Vec<IndexSpec>,
    pub fuzzy_fields: Vec<String>,
}

impl DatasetFlags {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.indexes.is_empty()
    }

    /// `--dataset NAME=FILE`.
    pub fn add_dataset(&mut self, value: &str) -> Result<(), String> {
        let Some((name, file)) = value.split_once('=') else {
            return Err(format!("--dataset wants NAME=FILE, not {value:?}"));
        };
        check_name(name).map_err(|e| format!("--dataset {value:?}: {e}"))?;
        if file.is_empty() {
            return Err(format!(
                "--dataset {value:?}: the file is missing (NAME=FILE)"
            ));
        }
        if self.files.iter().any(|(n, _)| n == name) {
            return Err(format!("--dataset {name:?} is given twice"));
        }
        self.files.push((name.to_owned(), PathBuf::from(file)));
        Ok(())
    }

    /// `--index NAME.FIELD`, `NAME.FIELD1+FIELD2`, `NAME.dotted.path`.
    pub fn add_index(&mut self, value: &str) -> Result<(), String> {
        self.add("--index", value)
    }

    /// `--fuzzy-index NAME.FIELD` (one field, a dotted path allowed).
    pub fn add_fuzzy_index(&mut self, value: &str) -> Result<(), String> {
        if value.contains('+') {
            return Err(format!(
                "--fuzzy-index {value:?}: a fuzzy index is one field (NAME.FIELD)"
            ));
        }
        self.add("--fuzzy-index", value)
    }

    fn add(&mut self, flag: &'static str, value: &str) -> Result<(), String> {
        let shape = || {
            format!(
                "{flag} wants NAME.FIELD (NAME.FIELD1+FIELD2 for a compound key), not {value:?}"
            )
        };
        let (name, fields) = value.split_once('.').ok_or_else(shape)?;
        if name.is_empty() || fields.is_empty() {
            return Err(shape());
        }
        IndexSpec::parse(fields).map_err(|e| format!("{flag} {value:?}: {e}"))?;
        self.indexes.push((flag, value.to_owned()));
        Ok(())
    }

    /// Each dataset with its indexes. An index is matched to the longest dataset name it
    /// starts with (dataset names may hold `.`); one naming no given dataset is an error.
    pub fn resolve(self) -> Result<Vec<DatasetSpec>, String> {
        let mut specs: Vec<DatasetSpec> = self
            .files
            .into_iter()
            .map(|(name, path)| DatasetSpec {
                name,
                path,
                indexes: Vec::new(),
                fuzzy_fields: Vec::new(),
            })
            .collect();
        for (flag, value) in self.indexes {
            let owner = specs
                .iter()
                .enumerate()
                .filter(|(_, spec)| {
                    value
                        .strip_prefix(spec.name.as_str())
                        .is_some_and(|rest| rest.len() > 1 && rest.starts_with('.'))
                })
                .max_by_key(|(_, spec)| spec.name.len())
                .map(|(i, _)| i);
            let Some(owner) = owner else {
                let name = value.split('.').next().unwrap_or_default();
                return Err(format!(
                    "{flag} {value:?} names dataset {name:?}, which no --dataset gives"
                ));
            };
            let spec = &mut specs[owner];
            let fields = &value[spec.name.len() + 1..];
            let parsed = IndexSpec::parse(fields).map_err(|e| format!("{flag} {value:?}: {e}"))?;
            if flag == "--fuzzy-index" {
                let field = parsed.fields()[0].clone();
                if !spec.fuzzy_fields.contains(&field) {
                    spec.fuzzy_fields.push(field);
                }
            } else if !spec.indexes.contains(&parsed) {
                spec.indexes.push(parsed);
            }
        }
        Ok(specs)
    }
}

/// A dataset name is letters, digits, `_`, `-` and `.`, as in the master-data table.
fn check_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if name.is_empty() || !name.chars().all(allowed) {
        return Err(format!(
            "dataset name {name:?}: use letters, digits, '_', '-' or '.'"
        ));
    }
    Ok(())
}

/// Reads every dataset file and indexes it, saying one line for each (records, indexes, the
/// lines of rejected rows) and one warning for each rejected row.
pub fn load(specs: Vec<DatasetSpec>) -> Result<InMemoryDatasetStore, String> {
    let store = InMemoryDatasetStore::default();
    for spec in specs {
        let read = read_dataset_file(&spec.path).map_err(|e| {
            format!(
                "dataset {}: cannot read {}: {e}",
                spec.name,
                spec.path.display()
            )
        })?;
        for row in &read.rejected {
            tracing::warn!(
                "{}:{}: row skipped: {}",
                spec.path.display(),
                row.line,
                row.reason
            );
        }
        let lines: Vec<usize> = read.rejected.iter().map(|r| r.line).collect();
        let summary = summary(&spec, read.records.len(), &lines);
        store.insert(Dataset::new(
            spec.name,
            read.records,
            spec.indexes,
            spec.fuzzy_fields,
        ));
        tracing::info!("{summary}");
    }
    Ok(store)
}

/// `dataset purchase_orders: 4 records from FILE, indexes po_number, vendor.id; fuzzy
/// vendor.name; rejected 1 (line 7)`.
fn summary(spec: &DatasetSpec, records: usize, rejected: &[usize]) -> String {
    let list = |items: Vec<String>| {
        if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(", ")
        }
    };
    let indexes = list(spec.indexes.iter().map(IndexSpec::to_string).collect());
    let fuzzy = list(spec.fuzzy_fields.clone());
    let rejected = match rejected {
        [] => "rejected 0".to_owned(),
        [line] => format!("rejected 1 (line {line})"),
        lines => format!(
            "rejected {} (lines {})",
            lines.len(),
            lines
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!(
        "dataset {}: {records} records from {}, indexes {indexes}; fuzzy {fuzzy}; {rejected}",
        spec.name,
        spec.path.display()
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn flags(args: &[(&str, &str)]) -> Result<Vec<DatasetSpec>, String> {
        let mut flags = DatasetFlags::default();
        for (flag, value) in args {
            match *flag {
                "--dataset" => flags.add_dataset(value)?,
                "--index" => flags.add_index(value)?,
                "--fuzzy-index" => flags.add_fuzzy_index(value)?,
                other => panic!("{other}"),
            }
        }
        flags.resolve()
    }

    fn index(text: &str) -> IndexSpec {
        IndexSpec::parse(text).unwrap()
    }

    #[test]
    fn indexes_go_to_their_dataset_with_dotted_paths_and_compounds() {
        let specs = flags(&[
            ("--index", "purchase_orders.po_number"),
            ("--dataset", "purchase_orders=po.json"),
            ("--index", "purchase_orders.vendor.id"),
            ("--index", "purchase_orders.vendor_id+po_number"),
            ("--index", "purchase_orders.po_number"),
            ("--dataset", "products=p.jsonl"),
            ("--fuzzy-index", "products.name"),
        ])
        .unwrap();
        assert_eq!(
            specs,
            [
                DatasetSpec {
                    name: "purchase_orders".into(),
                    path: "po.json".into(),
                    indexes: vec![
                        index("po_number"),
                        index("vendor.id"),
                        index("po_number+vendor_id")
                    ],
                    fuzzy_fields: vec![],
                },
                DatasetSpec {
                    name: "products".into(),
                    path: "p.jsonl".into(),
                    indexes: vec![],
                    fuzzy_fields: vec!["name".into()],
                },
            ]
        );
    }

    #[test]
    fn a_dotted_dataset_name_takes_the_indexes_that_start_with_it() {
        let specs = flags(&[
            ("--dataset", "eu.products=a.csv"),
            ("--dataset", "eu=b.csv"),
            ("--index", "eu.products.code"),
            ("--index", "eu.code"),
        ])
        .unwrap();
        assert_eq!(specs[0].indexes, [index("code")]);
        assert_eq!(specs[1].indexes, [index("code")]);
    }

    #[test]
    fn malformed_flags_and_unknown_datasets_are_errors_naming_them() {
        let error = |args: &[(&str, &str)]| flags(args).unwrap_err();
        assert_eq!(
            error(&[("--index", "po_number")]),
            "--index wants NAME.FIELD (NAME.FIELD1+FIELD2 for a compound key), not \"po_number\""
        );
        assert!(error(&[("--index", "orders.")]).starts_with("--index wants NAME.FIELD"));
        assert!(error(&[("--index", ".po_number")]).starts_with("--index wants NAME.FIELD"));
        assert!(error(&[("--index", "orders.a+")]).contains("a field name is empty"));
        assert!(error(&[("--index", "orders.a..b")]).contains("a field name is empty"));
        assert_eq!(
            error(&[
                ("--dataset", "orders=o.csv"),
                ("--index", "order.po_number")
            ]),
            "--index \"order.po_number\" names dataset \"order\", which no --dataset gives"
        );
        assert_eq!(
            error(&[("--fuzzy-index", "products.name")]),
            "--fuzzy-index \"products.name\" names dataset \"products\", which no --dataset gives"
        );
        assert!(error(&[("--fuzzy-index", "products.a+b")]).contains("one field"));
        assert_eq!(
            error(&[("--dataset", "orders.csv")]),
            "--dataset wants NAME=FILE, not \"orders.csv\""
        );
        assert!(error(&[("--dataset", "=o.csv")]).contains("dataset name \"\""));
        assert!(error(&[("--dataset", "my orders=o.csv")]).contains("letters, digits"));
        assert!(error(&[("--dataset", "o=")]).contains("the file is missing"));
        assert_eq!(
            error(&[("--dataset", "o=a.csv"), ("--dataset", "o=b.csv")]),
            "--dataset \"o\" is given twice"
        );
    }

    #[test]
    fn the_summary_names_records_indexes_and_rejected_lines() {
        let spec = flags(&[
            ("--dataset", "purchase_orders=po.json"),
            ("--index", "purchase_orders.po_number"),
            ("--index", "purchase_orders.vendor.id"),
            ("--fuzzy-index", "purchase_orders.vendor.name"),
        ])
        .unwrap()
        .remove(0);
        assert_eq!(
            summary(&spec, 4, &[3, 9]),
            "dataset purchase_orders: 4 records from po.json, indexes po_number, vendor.id; \
             fuzzy vendor.name; rejected 2 (lines 3, 9)"
        );
        let bare = DatasetSpec {
            indexes: vec![],
            fuzzy_fields: vec![],
            ..spec
        };
        assert_eq!(
            summary(&bare, 0, &[1]),
            "dataset purchase_orders: 0 records from po.json, indexes none; fuzzy none; \
             rejected 1 (line 1)"
        );
    }

    #[test]
    fn load_reads_every_file_and_a_refused_file_is_an_error_naming_it() {
        let dir =
            std::env::temp_dir().join(format!("local-server-datasets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("p.csv");
        std::fs::write(&good, "code;name\nA-1;Bolt\nB-2\n").unwrap();
        let bad = dir.join("bad.csv");
        std::fs::write(&bad, "code;code\n").unwrap();
        let spec = |name: &str, path: &Path| DatasetSpec {
            name: name.into(),
            path: path.into(),
            indexes: vec![index("code")],
            fuzzy_fields: vec!["name".into()],
        };
        let store = load(vec![spec("products", &good)]).unwrap();
        let info = store.get("products").unwrap().info().clone();
        assert_eq!((info.records, info.indexes), (1, vec![index("code")]));
        let error = load(vec![spec("products", &good), spec("other", &bad)]).unwrap_err();
        assert!(
            error.starts_with("dataset other: cannot read ") && error.contains("line 1: "),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
