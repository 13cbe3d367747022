use webhook_model::rossum::{Node, datapoints_by_schema_id};

/// Required schema ids with no non-empty datapoint, with the id of the (empty) datapoint
/// when there is one, so the message can point at it.
pub fn missing_required_fields<'a>(
    content: &[Node],
    required: &'a [String],
) -> Vec<(&'a str, Option<u64>)> {
    required
        .iter()
        .filter_map(|schema_id| {
            let mut datapoints = datapoints_by_schema_id(content, schema_id).peekable();
            let first_id = datapoints.peek().map(|d| d.id);
            let filled = datapoints.any(|d| d.value().is_some_and(|v| !v.trim().is_empty()));
            (!filled).then_some((schema_id.as_str(), first_id))
        })
        .collect()
}
