//! The sections of a document (`SECTIONS`): each a map with its numbers beside the text
//! they were read from.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use dynamodb_support::{Item, n, s};
use webhook_model::contractfit::{NumberText, Section};

use super::{DynamoContractFitStore, attributes, base_item, timestamp};
use crate::{Delivery, Stored, StoredSections, Unavailable, contractfit_unavailable};

pub(super) const SECTIONS_SK: &str = "SECTIONS";

impl DynamoContractFitStore {
    pub(super) async fn put_sections(
        &self,
        delivery: &Delivery,
        sections: &[Section],
    ) -> Result<Stored, Unavailable> {
        let mut item = base_item(delivery, SECTIONS_SK, "contractfit_sections");
        item.insert(
            "sections".into(),
            AttributeValue::L(sections.iter().map(section_attribute).collect()),
        );
        item.insert("section_count".into(), n(sections.len()));
        self.write_once(delivery, None, item, "", Vec::new()).await
    }
}

fn section_attribute(section: &Section) -> AttributeValue {
    let mut map = HashMap::with_capacity(6);
    map.insert("document_type".to_owned(), s(&section.document_type));
    if let Some(format) = &section.format {
        map.insert("format".to_owned(), s(format));
    }
    map.insert("confidence".to_owned(), s(&section.confidence.raw));
    if let Some(value) = section.confidence.value.filter(|v| storable(*v)) {
        map.insert("confidence_value".to_owned(), n(value));
    }
    map.insert("page".to_owned(), s(&section.page.raw));
    if let Some(value) = section.page.value {
        map.insert("page_value".to_owned(), n(value));
    }
    AttributeValue::M(map)
}

/// Numbers DynamoDB stores exactly as Rust prints them (Rust prints `f64`s digit by digit,
/// never with an exponent, and DynamoDB keeps 38 digits).
fn storable(value: f64) -> bool {
    value == 0.0 || (value.is_finite() && (1e-30..1e30).contains(&value.abs()))
}

pub(super) fn sections_from_item(item: &Item) -> Result<StoredSections, Unavailable> {
    let list = match item.get("sections") {
        Some(AttributeValue::L(list)) => list,
        _ => {
            return Err(contractfit_unavailable(
                "sections item without a 'sections' list",
            ));
        }
    };
    let sections = list
        .iter()
        .map(|entry| {
            let AttributeValue::M(map) = entry else {
                return Err(contractfit_unavailable(format!(
                    "section {entry:?} is not a map"
                )));
            };
            Ok(Section {
                document_type: attributes(map).required_text("document_type")?,
                format: attributes(map).text("format")?,
                confidence: NumberText {
                    raw: attributes(map).required_text("confidence")?,
                    value: attributes(map).number("confidence_value")?,
                },
                page: NumberText {
                    raw: attributes(map).required_text("page")?,
                    value: attributes(map).number("page_value")?,
                },
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(StoredSections {
        sections,
        received_at: timestamp(item, "received_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_round_trip_through_items_with_their_numbers() {
        let sections = vec![
            Section {
                document_type: "invoice".into(),
                format: Some("5e20372a90d5ab65dd4a017a".into()),
                confidence: NumberText::new("91"),
                page: NumberText::new("0"),
            },
            Section {
                document_type: "letter".into(),
                format: None,
                confidence: NumberText::new("high"),
                page: NumberText::new("-1"),
            },
        ];
        let mut item = Item::new();
        item.insert(
            "sections".into(),
            AttributeValue::L(sections.iter().map(section_attribute).collect()),
        );
        item.insert("received_at".into(), s("2026-11-20T09:00:00.000000Z"));
        let AttributeValue::L(list) = &item["sections"] else {
            unreachable!()
        };
        let AttributeValue::M(first) = &list[0] else {
            unreachable!()
        };
        assert_eq!(first["confidence_value"], AttributeValue::N("91".into()));
        assert_eq!(first["page_value"], AttributeValue::N("0".into()));
        assert_eq!(sections_from_item(&item).unwrap().sections, sections);
    }

    #[test]
    fn unstorable_numbers_are_left_out() {
        assert!(!storable(f64::NAN));
        assert!(!storable(1e300));
        assert!(storable(0.0));
        assert!(storable(91.0));
    }
}
