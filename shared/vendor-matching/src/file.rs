use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::Vendor;

/// A row that was not accepted, with its 1-based line number in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub line: u64,
    pub reason: String,
}

/// What a vendor file holds: the accepted vendors with their line, and the rejected rows.
#[derive(Debug, Default)]
pub struct ReadVendors {
    pub vendors: Vec<(u64, Vendor)>,
    pub rejected: Vec<RejectedRow>,
}

/// Reads a vendor file: CSV with a header row, or JSON Lines (`.jsonl`, `.ndjson`).
pub fn read_vendor_file(path: &Path) -> std::io::Result<ReadVendors> {
    let file = std::fs::File::open(path)?;
    let json_lines = matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("jsonl" | "ndjson")
    );
    read_vendors(file, json_lines)
}

/// Reads vendors from CSV (with a header row) or JSON Lines. A later row with the id of an
/// earlier one is rejected: one file describes each vendor once.
pub fn read_vendors(input: impl Read, json_lines: bool) -> std::io::Result<ReadVendors> {
    let mut read = if json_lines {
        read_json_lines(input)?
    } else {
        read_csv(input)?
    };
    let mut first_seen: HashMap<String, u64> = HashMap::new();
    let mut unique = Vec::with_capacity(read.vendors.len());
    for (line, vendor) in read.vendors {
        match first_seen.get(&vendor.vendor_id) {
            Some(first) => read.rejected.push(RejectedRow {
                line,
                reason: format!(
                    "duplicate vendor_id {:?} (first on line {first})",
                    vendor.vendor_id
                ),
            }),
            None => {
                first_seen.insert(vendor.vendor_id.clone(), line);
                unique.push((line, vendor));
            }
        }
    }
    read.vendors = unique;
    read.rejected.sort_by_key(|r| r.line);
    Ok(read)
}

fn read_csv(input: impl Read) -> std::io::Result<ReadVendors> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers = reader.headers().map_err(std::io::Error::other)?.clone();
    let names: Vec<String> = headers
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    for required in ["vendor_id", "name"] {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(required)) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "the header row has no {required} column (found: {})",
                    names.join(", ")
                ),
            ));
        }
    }
    let mut out = ReadVendors::default();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                let fields = names.iter().cloned().zip(record.iter().map(str::to_owned));
                match Vendor::from_fields(fields) {
                    Ok(vendor) => out.vendors.push((line, vendor)),
                    Err(e) => out.rejected.push(RejectedRow { line, reason: e.0 }),
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let reason = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        format!("{len} fields where the header has {expected_len}")
                    }
                    csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_owned(),
                    _ => e.to_string(),
                };
                out.rejected.push(RejectedRow { line, reason });
            }
        }
    }
    Ok(out)
}

fn read_json_lines(input: impl Read) -> std::io::Result<ReadVendors> {
    let mut out = ReadVendors::default();
    for (index, line) in BufReader::new(input).lines().enumerate() {
        let line_number = index as u64 + 1;
        let text = match line {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                out.rejected.push(RejectedRow {
                    line: line_number,
                    reason: "not valid UTF-8".to_owned(),
                });
                continue;
            }
            Err(e) => return Err(e),
        };
        if text.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&text)
            .map_err(|e| format!("not a JSON object: {e}"))
            .and_then(|object| {
                let fields = object.into_iter().filter_map(|(k, v)| match v {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(s) => Some((k, s)),
                    other => Some((k, other.to_string())),
                });
                Vendor::from_fields(fields).map_err(|e| e.0)
            });
        match parsed {
            Ok(vendor) => out.vendors.push((line_number, vendor)),
            Err(reason) => out.rejected.push(RejectedRow {
                line: line_number,
                reason,
            }),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_are_read_and_bad_ones_reported_by_line() {
        let csv = "vendor_id,name,vat_id,city,erp_code\n\
                   V1,Northwind B.V.,NL853122947B01,Amsterdam,100\n\
                   V2,,,Prague,101\n\
                   V3,Contoso,not-a-vat,Berlin,102\n\
                   V1,Northwind again,,,103\n\
                   V4,Fabrikam\n\
                   V5,\"Quoted, Name\",,Brno,104\n";
        let read = read_vendors(csv.as_bytes(), false).unwrap();
        let ids: Vec<_> = read
            .vendors
            .iter()
            .map(|(l, v)| (*l, v.vendor_id.as_str()))
            .collect();
        assert_eq!(ids, vec![(2, "V1"), (7, "V5")]);
        let rejected: Vec<_> = read
            .rejected
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(rejected[0], (3, "name is missing"));
        assert_eq!(rejected[1].0, 4);
        assert_eq!(
            rejected[2],
            (5, "duplicate vendor_id \"V1\" (first on line 2)")
        );
        assert_eq!(rejected[3], (6, "2 fields where the header has 5"));
        assert_eq!(read.vendors[0].1.attributes["erp_code"], "100");
    }

    #[test]
    fn a_csv_without_required_columns_is_refused_whole() {
        let err = read_vendors("id,title\n1,x\n".as_bytes(), false).unwrap_err();
        assert!(err.to_string().contains("no vendor_id column"));
    }

    #[test]
    fn json_lines_accept_objects_and_report_the_rest() {
        let jsonl = "{\"vendor_id\":\"V1\",\"name\":\"Northwind\",\"rating\":5}\n\n[1,2]\n{\"vendor_id\":7,\"name\":\"Seven\"}\n";
        let read = read_vendors(jsonl.as_bytes(), true).unwrap();
        assert_eq!(read.vendors.len(), 2);
        assert_eq!(read.vendors[1].1.vendor_id, "7");
        assert_eq!(read.vendors[0].1.attributes["rating"], "5");
        assert_eq!(read.rejected.len(), 1);
        assert_eq!(read.rejected[0].line, 3);
    }
}
