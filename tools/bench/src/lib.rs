//! Benchmarks of the request path and the local server: generated Rossum annotations of any
//! size, signed as Rossum signs them.
//!
//! - `benches/request_path.rs`: `updated` and `initialize` through `Endpoint::handle`, next
//!   to the floor (verify + parse of the same bytes).
//! - `src/bin/throughput.rs`: requests per second of the local server on loopback.
//! - `src/bin/dataset_matching.rs`: Master Data Hub line-item matching against 100 000
//!   products in DynamoDB Local: times and DynamoDB round trips per delivery.
//! - `summarize.py`: a markdown table of every criterion result under `target/criterion`.

use serde_json::{Value, json};

/// The sample `updated` delivery every generated one is made from.
pub const UPDATED_PAYLOAD: &str =
    include_str!("../../../events/payloads/rossum-annotation-updated.json");
/// The sample `initialize` delivery every generated one is made from.
pub const INITIALIZE_PAYLOAD: &str =
    include_str!("../../../events/payloads/rossum-annotation-initialize.json");
/// The sample `export` delivery.
pub const EXPORT_PAYLOAD: &str =
    include_str!("../../../events/payloads/rossum-annotation-export.json");
/// The sample `email.received` delivery.
pub const EMAIL_PAYLOAD: &str = include_str!("../../../events/payloads/rossum-email-received.json");
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
    let event = annotation_event(payload, line_items, |_, _| {});
    serde_json::to_vec(&event).expect("a JSON value serialises")
}

/// [`annotation_body`] with three more cells on every row, `item_product` and `item_unit`
/// (empty, what matching fills) and last `item_code`, the code of product
/// [`row_product`]`(row)`, and the settings of [`product_matching_configurations`]. For an
/// `updated` payload, `updated_datapoints` names the last row's `item_code`: a user correcting
/// one product code.
pub fn product_annotation_body(payload: &str, line_items: usize) -> Vec<u8> {
    let mut event = product_annotation_event(payload, line_items);
    event["settings"]["configurations"] = product_matching_configurations();
    serde_json::to_vec(&event).expect("a JSON value serialises")
}

/// The event of [`product_annotation_body`] without its `configurations` (so that any other
/// configuration can be put there).
pub fn product_annotation_event(payload: &str, line_items: usize) -> Value {
    annotation_event(payload, line_items, |row, tuple| {
        let cells = tuple["children"]
            .as_array_mut()
            .expect("sample rows have cells");
        let template = cells[0].clone();
        let code = product_code(row_product(row));
        for (schema_id, value) in [
            ("item_product", ""),
            ("item_unit", ""),
            ("item_code", &code),
        ] {
            let mut cell = template.clone();
            cell["schema_id"] = json!(schema_id);
            cell["content"]["value"] = json!(value);
            cell["content"]["normalized_value"] = json!(value);
            cell["content"]["rir_text"] = json!(value);
            cells.push(cell);
        }
    })
}

/// The products of the matching benchmarks: `code` is the index, `name` fuzzy-indexed.
pub const PRODUCTS: usize = 100_000;

/// The code of product `index`.
pub fn product_code(index: usize) -> String {
    format!("P-{index:06}")
}

/// Product `index` of the generated products: a code, a name of a material, an item and an
/// invented model word (so name blocks are many and small, as in real catalogues), a unit and
/// a price.
pub fn generated_product(index: usize) -> Value {
    const MATERIALS: [&str; 8] = [
        "Steel", "Brass", "Nylon", "Copper", "Oak", "Granite", "Acrylic", "Zinc",
    ];
    const ITEMS: [&str; 10] = [
        "bolt", "washer", "hinge", "bracket", "panel", "cable", "valve", "gasket", "spring",
        "clamp",
    ];
    const SYLLABLES: [&str; 10] = [
        "ka", "lo", "mer", "tis", "van", "dor", "pel", "ru", "zen", "qua",
    ];
    const UNITS: [&str; 4] = ["pcs", "box", "kg", "m"];
    let model: String = [index / 10, index / 100, index / 1000, index / 10_000]
        .iter()
        .map(|digit| SYLLABLES[digit % SYLLABLES.len()])
        .collect();
    let name = format!(
        "{} {} {model} {}",
        MATERIALS[index % MATERIALS.len()],
        ITEMS[index % ITEMS.len()],
        index % 100,
    );
    json!({
        "code": product_code(index),
        "name": name,
        "unit": UNITS[index % UNITS.len()],
        "price": (index % 10_000) as f64 / 100.0 + 1.0,
    })
}

/// The product row `row` of a generated invoice names: distinct for every row of an invoice
/// of up to [`PRODUCTS`] rows, spread over the whole dataset.
pub fn row_product(row: usize) -> usize {
    // 7919 is prime, so coprime with PRODUCTS: row -> product is one-to-one.
    (row * 7919 + 13) % PRODUCTS
}

/// One Master Data Hub configuration per line item: the row's product by its code, its code
/// and name as the label, its unit copied into the row's `item_unit`.
pub fn product_matching_configurations() -> Value {
    json!([{
        "name": "Product per line item",
        "source": {"dataset": "products", "queries": [{"find": {"code": "{item_code}"}}]},
        "mapping": {"target_schema_id": "item_product", "dataset_key": "code",
                    "label_keys": ["code", "name"]},
        "additional_mappings": [{"target_schema_id": "item_unit", "dataset_key": "unit"}],
        "result_actions": {
            "one_match_found": {"select": "best_match"},
            "no_match_found": {"message": {"type": "error", "content": "Unknown product code"}}
        }
    }])
}

/// `payload` with `line_items` rows made from its own, each changed by `extend_row(row, tuple)`
/// before it is renumbered.
fn annotation_event(
    payload: &str,
    line_items: usize,
    mut extend_row: impl FnMut(usize, &mut Value),
) -> Value {
    let mut event: Value = serde_json::from_str(payload).expect("the sample payload is JSON");
    let table = line_item_table(&mut event);
    let samples = std::mem::take(table);
    assert!(!samples.is_empty(), "the sample has line items");
    let mut next_id = FIRST_GENERATED_ID;
    let mut edited_cell = None;
    for row in 0..line_items {
        let mut tuple = samples[row % samples.len()].clone();
        extend_row(row, &mut tuple);
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
    event
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

/// [`annotation_body`] with `checks` (Business Rules Validation) in its settings.
pub fn checks_annotation_body(payload: &str, line_items: usize, checks: Value) -> Vec<u8> {
    let mut event = annotation_event(payload, line_items, |_, _| {});
    event["settings"]["checks"] = checks;
    serde_json::to_vec(&event).expect("a JSON value serialises")
}

/// `count` checks of the kinds users write, in turn: per-row arithmetic and emptiness, header
/// sums against line items, dates with `timedelta`, `regexp`, `substring`, aggregates and a
/// `condition`; all over the sample's schema ids.
pub fn business_rule_checks(count: usize) -> Value {
    const RULES: [(&str, Option<&str>); 10] = [
        (
            "{item_quantity} * {item_amount_base} <= {item_amount_total} + 100000",
            None,
        ),
        (
            "sum({item_amount_total}) - {amount_total} <= 100000000",
            None,
        ),
        ("has_value({invoice_id})", None),
        ("{date_due} <= {date_issue} + timedelta(days=120)", None),
        ("regexp(\"^INV-[0-9]{4}-\", {invoice_id})", None),
        ("{item_amount_base} >= 0", None),
        ("len({item_description}) > 0", None),
        ("unique_len({item_vat_rate}) <= 10", None),
        ("has_value({item_description})", Some("{amount_total} > 0")),
        ("substring(\"INV\", {invoice_id})", None),
    ];
    Value::Array(
        (0..count)
            .map(|i| {
                let (rule, condition) = RULES[i % RULES.len()];
                let mut check = json!({"rule": rule, "message": format!("Check {i} failed."),
                                       "type": if i % 3 == 0 { "warning" } else { "error" }});
                if let Some(condition) = condition {
                    check["condition"] = json!(condition);
                }
                check
            })
            .collect(),
    )
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
    fn product_rows_end_in_their_own_product_code_and_updated_names_the_last() {
        let mut event: Value =
            serde_json::from_slice(&product_annotation_body(UPDATED_PAYLOAD, 100)).unwrap();
        assert_eq!(
            event["settings"]["configurations"],
            product_matching_configurations()
        );
        let edited = event["updated_datapoints"].clone();
        let rows = line_item_table(&mut event).clone();
        let codes: std::collections::BTreeSet<String> = rows
            .iter()
            .map(|row| {
                let code = row["children"].as_array().unwrap().last().unwrap();
                assert_eq!(code["schema_id"], "item_code");
                code["content"]["value"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(codes.len(), 100, "every row a different product");
        let last_code = rows[99]["children"].as_array().unwrap().last().unwrap();
        assert_eq!(edited, json!([last_code["id"]]));
        assert_eq!(
            last_code["content"]["value"],
            generated_product(row_product(99))["code"]
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
