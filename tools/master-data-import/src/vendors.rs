//! Importing a vendor master file, into DynamoDB or into the JSON Lines file the local
//! server loads (`local-server --vendors FILE`). Both targets count the same way: a vendor
//! is inserted, updated or unchanged, so importing the same file twice changes nothing.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use master_data_store::ImportSummary;
use vendor_matching::{Vendor, read_vendor_file};

/// Merges `vendors` into the JSON Lines vendor file at `path` (created if absent), keeping
/// vendors the import does not mention. The file is replaced in one rename, so a reader
/// never sees half of it.
pub fn import_into_local_file(path: &Path, vendors: &[Vendor]) -> std::io::Result<ImportSummary> {
    let mut stored: BTreeMap<String, Vendor> = BTreeMap::new();
    if path.exists() {
        let existing = read_vendor_file(path)?;
        if let Some(bad) = existing.rejected.first() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "{}:{}: {} (fix the file before importing into it)",
                    path.display(),
                    bad.line,
                    bad.reason
                ),
            ));
        }
        stored.extend(
            existing
                .vendors
                .into_iter()
                .map(|(_, v)| (v.vendor_id.clone(), v)),
        );
    }
    let mut summary = ImportSummary::default();
    for vendor in vendors {
        match stored.get(&vendor.vendor_id) {
            None => summary.inserted += 1,
            Some(old) if old.fingerprint() == vendor.fingerprint() => {
                summary.unchanged += 1;
                continue;
            }
            Some(_) => summary.updated += 1,
        }
        stored.insert(vendor.vendor_id.clone(), vendor.clone());
    }
    if summary.inserted + summary.updated == 0 && path.exists() {
        return Ok(summary);
    }
    let temporary = path.with_extension("jsonl.tmp");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&temporary)?);
        for vendor in stored.values() {
            serde_json::to_writer(&mut out, vendor)?;
            out.write_all(b"\n")?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    }
    std::fs::rename(&temporary, path)?;
    Ok(summary)
}
