//! Benchmarks of the request path and the local server: generated Rossum annotations of any
//! size, signed as Rossum signs them.
//!
//! - `benches/request_path.rs`: `updated` and `initialize` through `Endpoint::handle`, next
//!   to the floor (verify + parse of the same bytes).
//! - `src/bin/throughput.rs`: requests per second of the local server on loopback.
//! - `summarize.py`: a markdown table of every criterion result under `target/criterion`.

use serde_json::{Value, json};

/// The sample `updated` delivery every generated one is made from.
pub const UPDATED_PAYLOAD: &str =
    include_str!("../../../events/payloads/rossum-annotation-updated.json");
/// The sample `initialize` delivery every generated one is made from.
pub const INITIALIZE_PAYLOAD: &str =
    include_str!("../../../events/payloads/rossum-annotation-initialize.json");
/// The vendor master data the local server embeds by default.
pub const SAMPLE_VENDORS_CSV: &str = include_str!("../../../events/master-data/vendors.csv");

/// The development secret the local server uses when `ROSSUM_HOOK_SECRET` is unset.
pub const ROSSUM_DEVELOPMENT_SECRET: &str = "rossum-development-secret";
/// The header Rossum signs with.
pub const ROSSUM_SIGNATURE_HEADER: &str = "x-rossum-signature-sha256";

/// Datapoint ids of generated rows start here, far from the sample's own ids.
const FIRST_GENERATED_ID: u64 = 90_000_000;

/// A delivery made from `payload` whose line-item table holds `line_items` rows, as compact
/// JSON (as Rossum sends it).
///
/// The rows repeat the sample's rows in turn (so a quarter to a half of the VAT cells say
/// "zero"), each node with a fresh id and URL. For an `updated` payload, `updated_datapoints`
/// names one cell of the last row: a user editing one table cell.
pub fn annotation_body(payload: &str, line_items: usize) -> Vec<u8> {
    let mut event: Value = serde_json::from_str(payload).expect("the sample payload is JSON");
    let table = line_item_table(&mut event);
    let samples = std::mem::take(table);
    assert!(!samples.is_empty(), "the sample has line items");
    let mut next_id = FIRST_GENERATED_ID;
    let mut edited_cell = None;
    for row in 0..line_items {
        let mut tuple = samples[row % samples.len()].clone();
        renumber(&mut tuple, &mut next_id);
        edited_cell = tuple["children"]
            .as_array()
            .and_then(|cells| cells.last())
            .and_then(|cell| cell["id"].as_u64());
        table.push(tuple);
    }
    if event["action"] == "updated" {
        event["updated_datapoints"] = json!(edited_cell.into_iter().collect::<Vec<_>>());
    }
    serde_json::to_vec(&event).expect("a JSON value serialises")
}

/// The rows of the `line_items` multivalue.
fn line_item_table(event: &mut Value) -> &mut Vec<Value> {
    let content = event["annotation"]["content"]
        .as_array_mut()
        .expect("the sample has annotation.content");
    content
        .iter_mut()
        .flat_map(|section| section["children"].as_array_mut().into_iter().flatten())
        .find(|node| node["schema_id"] == "line_items")
        .and_then(|node| node["children"].as_array_mut())
        .expect("the sample has a line_items table")
}

/// Gives `node` and its descendants new ids, and URLs ending in them.
fn renumber(node: &mut Value, next_id: &mut u64) {
    let id = *next_id;
    *next_id += 1;
    if let Some(url) = node["url"].as_str() {
        let base = url.rsplit_once('/').map_or(url, |(base, _)| base);
        node["url"] = json!(format!("{base}/{id}"));
    }
    node["id"] = json!(id);
    if let Some(children) = node["children"].as_array_mut() {
        for child in children {
            renumber(child, next_id);
        }
    }
}

/// `X-Rossum-Signature-SHA256` for `body` under `secret`.
pub fn rossum_signature(secret: &str, body: &[u8]) -> String {
    let digest = webhook_verify::hmac_sha256(secret.as_bytes(), body);
    format!("sha256={}", hex::encode(digest))
}

/// The median of `values` (sorted in place); zero for none.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datapoint_ids(node: &Value, ids: &mut Vec<u64>) {
        ids.extend(node["id"].as_u64());
        for child in node["children"].as_array().into_iter().flatten() {
            datapoint_ids(child, ids);
        }
    }

    #[test]
    fn generated_table_has_the_rows_asked_for_with_unique_ids() {
        let body = annotation_body(UPDATED_PAYLOAD, 100);
        let mut event: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(line_item_table(&mut event).len(), 100);
        let mut ids = Vec::new();
        for node in event["annotation"]["content"].as_array().unwrap() {
            datapoint_ids(node, &mut ids);
        }
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count, "every node id is unique");
    }

    #[test]
    fn updated_names_one_cell_of_the_last_row() {
        let mut event: Value =
            serde_json::from_slice(&annotation_body(UPDATED_PAYLOAD, 10)).unwrap();
        let edited = event["updated_datapoints"].clone();
        let last_row = line_item_table(&mut event).last().unwrap().clone();
        let last_cell = last_row["children"].as_array().unwrap().last().unwrap();
        assert_eq!(edited, json!([last_cell["id"]]));
        assert!(
            last_cell["url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/{}", last_cell["id"].as_u64().unwrap()))
        );
    }

    #[test]
    fn initialize_keeps_its_action_and_empty_updates() {
        let event: Value =
            serde_json::from_slice(&annotation_body(INITIALIZE_PAYLOAD, 10)).unwrap();
        assert_eq!(event["action"], "initialize");
        assert_eq!(event["updated_datapoints"], json!([]));
    }

    #[test]
    fn signature_verifies_with_the_rossum_verifier() {
        let body = annotation_body(UPDATED_PAYLOAD, 10);
        let header = rossum_signature(ROSSUM_DEVELOPMENT_SECRET, &body);
        let verifier = webhook_verify::RossumVerifier::new(webhook_verify::SecretSet::from_values(
            Some(ROSSUM_DEVELOPMENT_SECRET),
            None,
        ));
        let headers = [(ROSSUM_SIGNATURE_HEADER, header.as_str())];
        assert!(verifier.verify(&headers, &body).is_ok());
        assert!(verifier.verify(&headers, &body[1..]).is_err());
    }
}
