use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::normalize::{iban_key, name_key, vat_key};

/// One vendor of the master file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vendor {
    pub vendor_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Columns beyond the known ones, kept as they came (ERP ids, payment terms, ...).
    /// Flattened, so a vendor serialises to the same flat object a JSON Lines import reads.
    #[serde(flatten)]
    pub attributes: BTreeMap<String, String>,
}

/// Why a vendor record was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorError(pub String);

impl fmt::Display for VendorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for VendorError {}

impl Vendor {
    /// A vendor from named fields (a CSV row or a JSON object). Values are trimmed and empty
    /// values are absent; `vendor_id` and `name` are required, a VAT id or IBAN that cannot
    /// be one is refused rather than stored unfindable.
    pub fn from_fields(
        fields: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, VendorError> {
        let mut vendor = Vendor {
            vendor_id: String::new(),
            name: String::new(),
            vat_id: None,
            iban: None,
            street: None,
            city: None,
            postal_code: None,
            country: None,
            attributes: BTreeMap::new(),
        };
        for (key, value) in fields {
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim().to_owned();
            let slot = match key.as_str() {
                "vendor_id" => {
                    vendor.vendor_id = value;
                    continue;
                }
                "name" => {
                    vendor.name = value;
                    continue;
                }
                "vat_id" => &mut vendor.vat_id,
                "iban" => &mut vendor.iban,
                "street" => &mut vendor.street,
                "city" => &mut vendor.city,
                "postal_code" => &mut vendor.postal_code,
                "country" => &mut vendor.country,
                _ => {
                    if !value.is_empty() {
                        vendor.attributes.insert(key, value);
                    }
                    continue;
                }
            };
            *slot = (!value.is_empty()).then_some(value);
        }
        vendor.validate()?;
        Ok(vendor)
    }

    /// Checks what [`Vendor::from_fields`] checks, for vendors built otherwise.
    pub fn validate(&self) -> Result<(), VendorError> {
        if self.vendor_id.is_empty() {
            return Err(VendorError("vendor_id is missing".to_owned()));
        }
        if self.vendor_id.chars().any(char::is_control) || self.vendor_id.len() > 256 {
            return Err(VendorError(format!(
                "vendor_id {:?} is not a usable id",
                self.vendor_id
            )));
        }
        if name_key(&self.name).is_none() {
            return Err(VendorError("name is missing".to_owned()));
        }
        if let Some(vat) = &self.vat_id
            && vat_key(vat).is_none()
        {
            return Err(VendorError(format!("vat_id {vat:?} is not a VAT number")));
        }
        if let Some(iban) = &self.iban
            && iban_key(iban).is_none()
        {
            return Err(VendorError(format!(
                "iban {iban:?} is not a valid IBAN (check digits)"
            )));
        }
        Ok(())
    }

    /// The option label Rossum shows: "name, city (vendor_id)".
    pub fn label(&self) -> String {
        match &self.city {
            Some(city) => format!("{}, {} ({})", self.name, city, self.vendor_id),
            None => format!("{} ({})", self.name, self.vendor_id),
        }
    }

    /// A fingerprint of every field, so a re-import can tell an unchanged vendor apart.
    pub fn fingerprint(&self) -> String {
        let canonical = serde_json::to_vec(self).expect("vendors serialise");
        // FNV-1a: stable across builds and platforms, and collisions only cost a rewrite.
        let hash = canonical.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        format!("{hash:016x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn known_columns_are_fields_and_others_attributes() {
        let v = Vendor::from_fields(fields(&[
            ("vendor_id", " V-1 "),
            ("Name", "Northwind"),
            ("city", "Amsterdam"),
            ("iban", ""),
            ("erp_code", "4711"),
        ]))
        .unwrap();
        assert_eq!(v.vendor_id, "V-1");
        assert_eq!(v.iban, None);
        assert_eq!(
            v.attributes.get("erp_code").map(String::as_str),
            Some("4711")
        );
        assert_eq!(v.label(), "Northwind, Amsterdam (V-1)");
    }

    #[test]
    fn unusable_rows_are_refused_with_a_reason() {
        let err = |pairs: &[(&str, &str)]| Vendor::from_fields(fields(pairs)).unwrap_err().0;
        assert_eq!(err(&[("name", "X")]), "vendor_id is missing");
        assert_eq!(err(&[("vendor_id", "1")]), "name is missing");
        assert!(
            err(&[("vendor_id", "1"), ("name", "X"), ("vat_id", "n/a")])
                .contains("not a VAT number")
        );
        assert!(err(&[("vendor_id", "1"), ("name", "X"), ("iban", "DE00 1234")]).contains("IBAN"));
    }
}
