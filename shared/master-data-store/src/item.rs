//! Vendors as DynamoDB items and back.

use std::collections::{BTreeMap, HashMap};
use vendor_matching::master_data_unavailable;

use aws_sdk_dynamodb::types::AttributeValue;
use dynamodb_support::{PK, SK, s};
use vendor_matching::{Unavailable, Vendor};

/// The sort key of a vendor's profile item.
pub const PROFILE_SK: &str = "PROFILE";

pub(crate) const FINGERPRINT: &str = "fingerprint";
pub(crate) const INDEX_KEYS: &str = "index_keys";
const ATTRIBUTES: &str = "attributes";

/// `VENDOR#<vendor_id>`: the profile's partition key and every index item's sort key.
pub fn vendor_pk(vendor_id: &str) -> String {
    format!("VENDOR#{vendor_id}")
}

/// The vendor's fields as item attributes: known fields as top-level strings (absent when
/// empty), other columns as the map `attributes`.
pub fn vendor_to_attributes(vendor: &Vendor) -> HashMap<String, AttributeValue> {
    let mut item = HashMap::with_capacity(12);
    item.insert("vendor_id".to_owned(), s(&vendor.vendor_id));
    item.insert("name".to_owned(), s(&vendor.name));
    let optional = [
        ("vat_id", &vendor.vat_id),
        ("iban", &vendor.iban),
        ("street", &vendor.street),
        ("city", &vendor.city),
        ("postal_code", &vendor.postal_code),
        ("country", &vendor.country),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            item.insert(name.to_owned(), s(value));
        }
    }
    if !vendor.attributes.is_empty() {
        let map = vendor
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), s(v)))
            .collect();
        item.insert(ATTRIBUTES.to_owned(), AttributeValue::M(map));
    }
    item
}

/// The profile item of a vendor whose index items are `index_keys`.
pub fn profile_item(vendor: &Vendor, index_keys: &[String]) -> HashMap<String, AttributeValue> {
    let mut item = vendor_to_attributes(vendor);
    item.insert(PK.to_owned(), s(vendor_pk(&vendor.vendor_id)));
    item.insert(SK.to_owned(), s(PROFILE_SK));
    item.insert(FINGERPRINT.to_owned(), s(vendor.fingerprint()));
    item.insert(
        INDEX_KEYS.to_owned(),
        AttributeValue::L(index_keys.iter().map(s).collect()),
    );
    item
}

/// The index item of `vendor` under `key` (`VAT#...`, `BLOCK#...`).
pub fn index_item(key: &str, vendor: &Vendor) -> HashMap<String, AttributeValue> {
    let mut item = vendor_to_attributes(vendor);
    item.insert(PK.to_owned(), s(key));
    item.insert(SK.to_owned(), s(vendor_pk(&vendor.vendor_id)));
    item
}

/// The vendor a profile or index item carries. Attributes other than the vendor's are
/// ignored; a missing `vendor_id` or `name`, or a field that is not a string, is an error.
pub fn vendor_from_item(item: &HashMap<String, AttributeValue>) -> Result<Vendor, Unavailable> {
    let describe = || {
        let key = |name| {
            item.get(name)
                .and_then(|v| v.as_s().ok())
                .map_or("?", |v| v)
        };
        format!("item pk={:?} sk={:?}", key(PK), key(SK))
    };
    let text = |name: &str| -> Result<Option<String>, Unavailable> {
        match item.get(name) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(AttributeValue::S(value)) => Ok((!value.is_empty()).then(|| value.clone())),
            Some(_) => Err(master_data_unavailable(format!(
                "{}: attribute {name} is not a string",
                describe()
            ))),
        }
    };
    let required = |name: &str| {
        text(name)?
            .ok_or_else(|| master_data_unavailable(format!("{}: {name} is missing", describe())))
    };
    let mut attributes = BTreeMap::new();
    match item.get(ATTRIBUTES) {
        None | Some(AttributeValue::Null(_)) => {}
        Some(AttributeValue::M(map)) => {
            for (key, value) in map {
                let value = value.as_s().map_err(|_| {
                    master_data_unavailable(format!(
                        "{}: attributes.{key} is not a string",
                        describe()
                    ))
                })?;
                attributes.insert(key.clone(), value.clone());
            }
        }
        Some(_) => {
            return Err(master_data_unavailable(format!(
                "{}: attribute {ATTRIBUTES} is not a map",
                describe()
            )));
        }
    }
    Ok(Vendor {
        vendor_id: required("vendor_id")?,
        name: required("name")?,
        vat_id: text("vat_id")?,
        iban: text("iban")?,
        street: text("street")?,
        city: text("city")?,
        postal_code: text("postal_code")?,
        country: text("country")?,
        attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vendor() -> Vendor {
        Vendor::from_fields(
            [
                ("vendor_id", "V-1"),
                ("name", "Müller & Söhne GmbH"),
                ("vat_id", "DE 123 456 789"),
                ("city", "Köln"),
                ("erp_code", "4711"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        )
        .unwrap()
    }

    #[test]
    fn profile_and_index_items_carry_the_whole_vendor() {
        let v = vendor();
        let keys = vendor_matching::index_keys(&v);
        let profile = profile_item(&v, &keys);
        assert_eq!(profile["pk"], s("VENDOR#V-1"));
        assert_eq!(profile["sk"], s("PROFILE"));
        assert_eq!(profile["fingerprint"], s(v.fingerprint()));
        assert_eq!(profile["index_keys"].as_l().unwrap().len(), keys.len());
        assert!(
            !profile.contains_key("iban"),
            "absent fields are not stored"
        );
        assert_eq!(vendor_from_item(&profile).unwrap(), v);

        let index = index_item("VAT#123456789", &v);
        assert_eq!(index["pk"], s("VAT#123456789"));
        assert_eq!(index["sk"], s("VENDOR#V-1"));
        assert_eq!(vendor_from_item(&index).unwrap(), v);
    }

    #[test]
    fn broken_items_are_errors() {
        let mut item = profile_item(&vendor(), &[]);
        item.remove("name");
        let err = vendor_from_item(&item).unwrap_err().reason;
        assert!(err.contains("name is missing"), "{err}");
        assert!(err.contains("VENDOR#V-1"), "{err}");

        let mut item = profile_item(&vendor(), &[]);
        item.insert("city".to_owned(), AttributeValue::N("1".to_owned()));
        assert!(
            vendor_from_item(&item)
                .unwrap_err()
                .reason
                .contains("city is not a string")
        );

        assert!(vendor_from_item(&HashMap::new()).is_err());
    }
}
