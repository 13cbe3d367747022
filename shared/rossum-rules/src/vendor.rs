use vendor_matching::{
    Candidate, MatchInputs, MatchOutcome, Unavailable, VendorStore, match_vendor,
};
use webhook_model::rossum::{
    AutomationBlocker, EnumOption, Message, Node, Operation, ReplaceValue, ValueContent,
    first_datapoint,
};

use crate::Settings;

/// What vendor matching contributes to a hook response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VendorMatch {
    pub messages: Vec<Message>,
    pub operations: Vec<Operation>,
    /// Set when no vendor matched: the document must not be automated.
    pub blocker: Option<AutomationBlocker>,
    /// The vendor id chosen, if any.
    pub vendor_id: Option<String>,
}

/// Whether the user (or an earlier hook) changed one of matching's input datapoints, so an
/// interactive hook only pays for matching when its answer can change.
pub fn matching_inputs_changed(
    content: &[Node],
    settings: &Settings,
    updated_datapoints: &[u64],
) -> bool {
    [
        &settings.vendor_vat_id_schema_id,
        &settings.vendor_iban_schema_id,
        &settings.vendor_name_schema_id,
    ]
    .into_iter()
    .filter_map(|schema_id| first_datapoint(content, schema_id))
    .any(|d| updated_datapoints.contains(&d.id))
}

/// Matches the annotation's supplier against the master data and fills the target enum
/// datapoint with the options and the chosen vendor id, as Master Data Hub does.
pub async fn match_vendor_datapoint(
    content: &[Node],
    settings: &Settings,
    store: &dyn VendorStore,
) -> Result<VendorMatch, Unavailable> {
    let Some(target) = first_datapoint(content, &settings.vendor_target_schema_id) else {
        let message = format!(
            "Datapoint with schema ID '{}' is missing.",
            settings.vendor_target_schema_id
        );
        return Ok(VendorMatch {
            messages: vec![Message::error(None, message)],
            ..VendorMatch::default()
        });
    };
    let value_of = |schema_id: &str| {
        first_datapoint(content, schema_id)
            .and_then(Node::value)
            .filter(|v| !v.trim().is_empty())
    };
    let inputs = MatchInputs {
        vat_id: value_of(&settings.vendor_vat_id_schema_id),
        iban: value_of(&settings.vendor_iban_schema_id),
        name: value_of(&settings.vendor_name_schema_id),
    };
    let outcome = match_vendor(
        store,
        &inputs,
        &settings.vendor_queries,
        settings.fuzzy_name_threshold,
    )
    .await?;
    let mut result = VendorMatch::default();
    match outcome {
        MatchOutcome::One { candidate, .. } => {
            result
                .operations
                .extend(fill(target, std::slice::from_ref(&candidate)));
            result.vendor_id = Some(candidate.vendor.vendor_id);
        }
        MatchOutcome::Several { candidates, by } => {
            let offered = &candidates[..candidates.len().min(settings.max_vendor_options)];
            result.operations.extend(fill(target, offered));
            result.messages.push(Message::warning(
                Some(target.id),
                format!(
                    "{} vendors match by {}; chose {}. Check that it is the right one.",
                    candidates.len(),
                    by.describe(),
                    offered[0].vendor.label()
                ),
            ));
            result.vendor_id = Some(offered[0].vendor.vendor_id.clone());
        }
        MatchOutcome::NoMatch => {
            result.operations.extend(fill(target, &[]));
            let tried: Vec<&str> = settings
                .vendor_queries
                .iter()
                .map(|q| q.describe())
                .collect();
            let message = format!(
                "No vendor in the master data matches this supplier (tried: {}).",
                tried.join(", ")
            );
            result
                .messages
                .push(Message::error(Some(target.id), message.clone()));
            result.blocker = Some(AutomationBlocker {
                id: Some(target.id),
                content: message,
            });
        }
    }
    Ok(result)
}

/// Replaces the target's options and value, unless they already are what matching found
/// (a replace the user does not need is a replace that can overwrite their work).
fn fill(target: &Node, candidates: &[Candidate]) -> Option<Operation> {
    let options: Vec<EnumOption> = candidates
        .iter()
        .map(|c| EnumOption {
            value: c.vendor.vendor_id.clone(),
            label: c.vendor.label(),
        })
        .collect();
    let value = candidates
        .first()
        .map_or_else(String::new, |c| c.vendor.vendor_id.clone());
    let unchanged = target.value().unwrap_or("") == value
        && target.options.as_deref().unwrap_or(&[]) == options;
    (!unchanged).then(|| Operation::Replace {
        id: target.id,
        value: ReplaceValue {
            content: Some(ValueContent { value }),
            options: Some(options),
            ..ReplaceValue::default()
        },
    })
}
