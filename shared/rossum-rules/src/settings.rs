use serde::Deserialize;
use vendor_matching::QueryKind;

/// Every setting a Rossum hook of this project reads from `hook.settings`. Absent keys take
/// the defaults below (those of Rossum's invoice schema); unknown keys are ignored.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Column checked by the zero-VAT rule.
    pub vat_rate_schema_id: String,
    /// A VAT-rate value containing this (any case) is a zero rate.
    pub zero_rate_marker: String,
    /// What a zero rate is replaced with.
    pub zero_rate_value: String,

    /// The enum datapoint vendor matching fills.
    pub vendor_target_schema_id: String,
    pub vendor_vat_id_schema_id: String,
    pub vendor_iban_schema_id: String,
    pub vendor_name_schema_id: String,
    /// Queries in the order they are tried; the first with a hit wins.
    pub vendor_queries: Vec<QueryKind>,
    /// Lowest trigram similarity (0..1) a fuzzy name match may have.
    pub fuzzy_name_threshold: f64,
    /// Most vendors offered as options when several match.
    pub max_vendor_options: usize,

    /// Largest difference two sums may have and still agree.
    pub sum_tolerance: f64,
    pub line_total_schema_id: String,
    pub amount_total_schema_id: String,
    pub tax_detail_tax_schema_id: String,
    pub amount_total_tax_schema_id: String,

    /// Fields that must have a value before confirmation and export.
    pub required_schema_ids: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            vat_rate_schema_id: "item_vat_rate".to_owned(),
            zero_rate_marker: "ZERO".to_owned(),
            zero_rate_value: "0.0".to_owned(),
            vendor_target_schema_id: "vendor_match".to_owned(),
            vendor_vat_id_schema_id: "sender_vat_id".to_owned(),
            vendor_iban_schema_id: "iban".to_owned(),
            vendor_name_schema_id: "sender_name".to_owned(),
            vendor_queries: QueryKind::DEFAULT_ORDER.to_vec(),
            fuzzy_name_threshold: 0.6,
            max_vendor_options: 10,
            sum_tolerance: 0.01,
            line_total_schema_id: "item_amount_total".to_owned(),
            amount_total_schema_id: "amount_total".to_owned(),
            tax_detail_tax_schema_id: "tax_detail_tax".to_owned(),
            amount_total_tax_schema_id: "amount_total_tax".to_owned(),
            required_schema_ids: ["invoice_id", "date_issue", "amount_total", "currency"]
                .map(str::to_owned)
                .to_vec(),
        }
    }
}

/// A setting that parsed but cannot work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError(pub String);

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid hook settings: {}", self.0)
    }
}

impl std::error::Error for SettingsError {}

impl Settings {
    /// Refuses values that would make a rule do harm rather than nothing.
    pub fn validate(self) -> Result<Self, SettingsError> {
        let ids = [
            ("vat_rate_schema_id", &self.vat_rate_schema_id),
            ("vendor_target_schema_id", &self.vendor_target_schema_id),
            ("line_total_schema_id", &self.line_total_schema_id),
            ("amount_total_schema_id", &self.amount_total_schema_id),
        ];
        for (name, value) in ids {
            if value.trim().is_empty() {
                return Err(SettingsError(format!("{name} must not be empty")));
            }
        }
        // An empty marker is contained in every value and would zero the whole column.
        if self.zero_rate_marker.trim().is_empty() {
            return Err(SettingsError(
                "zero_rate_marker must not be empty".to_owned(),
            ));
        }
        if !(self.fuzzy_name_threshold > 0.0 && self.fuzzy_name_threshold <= 1.0) {
            return Err(SettingsError(
                "fuzzy_name_threshold must be in (0, 1]".to_owned(),
            ));
        }
        if !(self.sum_tolerance >= 0.0 && self.sum_tolerance.is_finite()) {
            return Err(SettingsError(
                "sum_tolerance must be a non-negative number".to_owned(),
            ));
        }
        if self.vendor_queries.is_empty() {
            return Err(SettingsError(
                "vendor_queries must list at least one query".to_owned(),
            ));
        }
        if self.max_vendor_options == 0 {
            return Err(SettingsError(
                "max_vendor_options must be at least 1".to_owned(),
            ));
        }
        Ok(self)
    }
}
