use webhook_model::rossum::{Node, datapoints_by_schema_id, first_datapoint};

use crate::{Settings, amount_of};

/// A sum that does not add up, or an amount that cannot be read.
#[derive(Debug, Clone, PartialEq)]
pub struct SumFailure {
    /// The datapoint the message belongs on (the total, or the unreadable cell).
    pub id: Option<u64>,
    pub message: String,
}

/// Line items' totals against the invoice total, and tax details' tax against the total
/// tax. A check whose parts are absent is skipped: not every invoice has line items.
pub fn sum_checks(content: &[Node], settings: &Settings) -> Vec<SumFailure> {
    let mut failures = Vec::new();
    check(
        content,
        settings,
        &settings.line_total_schema_id,
        &settings.amount_total_schema_id,
        "Line item totals",
        "the total amount",
        &mut failures,
    );
    check(
        content,
        settings,
        &settings.tax_detail_tax_schema_id,
        &settings.amount_total_tax_schema_id,
        "Tax details",
        "the total tax",
        &mut failures,
    );
    failures
}

fn check(
    content: &[Node],
    settings: &Settings,
    parts_schema_id: &str,
    total_schema_id: &str,
    parts_label: &str,
    total_label: &str,
    failures: &mut Vec<SumFailure>,
) {
    let Some(total_datapoint) = first_datapoint(content, total_schema_id) else {
        return;
    };
    let mut sum = 0.0;
    let mut parts = 0;
    for cell in datapoints_by_schema_id(content, parts_schema_id) {
        let Some(raw) = cell.value().filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        match amount_of(cell) {
            Some(amount) => {
                sum += amount;
                parts += 1;
            }
            None => failures.push(SumFailure {
                id: Some(cell.id),
                message: format!("'{raw}' cannot be read as an amount."),
            }),
        }
    }
    if parts == 0 {
        return;
    }
    let Some(total) = amount_of(total_datapoint) else {
        if total_datapoint
            .value()
            .is_some_and(|v| !v.trim().is_empty())
        {
            failures.push(SumFailure {
                id: Some(total_datapoint.id),
                message: format!("The value of {total_label} cannot be read as an amount."),
            });
        }
        return;
    };
    let difference = sum - total;
    // 1e-9 absorbs binary floating point error, so a difference of exactly the tolerance passes.
    // A sum that overflowed (infinite or NaN) fails: NaN compares false with any tolerance.
    if !difference.is_finite() || difference.abs() > settings.sum_tolerance + 1e-9 {
        failures.push(SumFailure {
            id: Some(total_datapoint.id),
            message: format!(
                "{parts_label} add up to {sum:.2}, but {total_label} is {total:.2} (difference {difference:.2})."
            ),
        });
    }
}
