use webhook_model::rossum::{Message, Node, Operation, datapoints_by_schema_id};

use crate::Settings;

/// Rossum's sample rule: every VAT-rate cell whose value contains the zero marker (any case)
/// is replaced by the zero value; an annotation without the column gets an error message.
pub fn zero_vat_rates(content: &[Node], settings: &Settings) -> (Vec<Message>, Vec<Operation>) {
    let marker = settings.zero_rate_marker.to_uppercase();
    let mut column_found = false;
    let mut operations = Vec::new();
    for cell in datapoints_by_schema_id(content, &settings.vat_rate_schema_id) {
        column_found = true;
        let Some(value) = cell.value().filter(|v| !v.is_empty()) else {
            continue;
        };
        if value.to_uppercase().contains(&marker) && value != settings.zero_rate_value {
            operations.push(Operation::replace_value(
                cell.id,
                settings.zero_rate_value.clone(),
            ));
        }
    }
    if !column_found {
        let message = format!(
            "Column with schema ID '{}' is missing.",
            settings.vat_rate_schema_id
        );
        return (vec![Message::error(None, message)], operations);
    }
    (Vec::new(), operations)
}
