//! `rossum-annotation-export`: Rossum's `annotation_content` hook for `confirm` and
//! `export`, the final gate before data leaves Rossum.
//!
//! The gate answers with error messages, which block confirmation in the UI and send an
//! export to `failed_export`, for:
//!
//! - an unmatched vendor (the vendor datapoint, `vendor_target_schema_id`, empty or absent);
//! - sums that do not add up (line totals against the total, tax details against the total
//!   tax), on the datapoint concerned;
//! - required fields (`required_schema_ids`) that are empty or absent.
//!
//! When the hook's settings have Business Rules Validation `checks`, they replace the sum
//! checks and required fields: their errors block, their warnings and infos are shown.
//!
//! It never changes the annotation (no operations). When the gate passes on `export`, the
//! export record (annotation, document, vendor, totals, currency, time) is written exactly
//! once per annotation to the records table, where the ERP picks it up; a retried or
//! repeated export writes nothing more. When the table cannot be written the answer is 503,
//! so that Rossum retries; a gate failure writes nothing.

use std::sync::Arc;

use business_rules::{RulesSettings, Trigger};
use record_store::{Amount, ExportRecord, RecordStore, Timestamp};
use rossum_rules::{Settings, amount_of, missing_required_fields, sum_checks};
use serde::Deserialize;
use webhook_endpoint::rossum::{hook_response, hook_settings};
use webhook_endpoint::{Body, Delivery, Response, WebhookError};
use webhook_model::rossum::{
    AnnotationContentEvent, HookResponse, Message, MessageType, Node, first_datapoint,
};

/// The function's name: its Lambda binary, its registry entry, its log lines.
pub const NAME: &str = "rossum-annotation-export";

/// `confirm` runs the gate only; `export` runs it and writes the export record.
pub const ACTIONS: [&str; 2] = ["confirm", "export"];

/// The error on an empty vendor datapoint.
pub const VENDOR_NOT_MATCHED: &str = "The vendor is not matched to the master data; select the vendor before confirming or exporting.";

/// The settings this function reads besides [`Settings`] (same `hook.settings` object; absent
/// keys take these defaults, those of Rossum's invoice schema).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ExportSettings {
    /// The total without tax, copied to the export record.
    pub amount_total_base_schema_id: String,
    /// The currency, copied to the export record (upper case).
    pub currency_schema_id: String,
}

impl Default for ExportSettings {
    fn default() -> Self {
        Self {
            amount_total_base_schema_id: "amount_total_base".to_owned(),
            currency_schema_id: "currency".to_owned(),
        }
    }
}

pub(crate) async fn handle(
    delivery: Delivery,
    records: Arc<dyn RecordStore>,
) -> Result<Response<Body>, WebhookError> {
    let (event, settings) = crate::annotation_content(&delivery, &ACTIONS)?;
    let export_settings = hook_settings::<ExportSettings>(&event.settings)?;
    let checks = crate::checks::configured_checks(&event)?;
    let messages = match &checks {
        Some(checks) => gate_with_checks(&event, &settings, checks)?,
        None => gate(event.content(), &settings),
    };
    let response = pass(
        &event,
        &settings,
        &export_settings,
        records.as_ref(),
        messages,
    )
    .await?;
    Ok(hook_response(&response))
}

/// The hook's answer with the built-in gate: its messages, and on a passing `export` the
/// export record written. A body the record cannot be made from is a 400; a store failure a
/// 503.
pub async fn respond(
    event: &AnnotationContentEvent,
    settings: &Settings,
    export_settings: &ExportSettings,
    records: &dyn RecordStore,
) -> Result<HookResponse, WebhookError> {
    let messages = gate(event.content(), settings);
    pass(event, settings, export_settings, records, messages).await
}

/// The answer to a delivery the gate said `messages` of: an error among them blocks
/// confirmation and the export (nothing is written); otherwise a passing `export` writes the
/// export record.
async fn pass(
    event: &AnnotationContentEvent,
    settings: &Settings,
    export_settings: &ExportSettings,
    records: &dyn RecordStore,
    messages: Vec<Message>,
) -> Result<HookResponse, WebhookError> {
    let blocked = messages.iter().any(|m| m.kind == MessageType::Error);
    if blocked || event.action != "export" {
        return Ok(HookResponse {
            messages,
            ..HookResponse::default()
        });
    }
    let record =
        export_record(event, settings, export_settings).map_err(WebhookError::MalformedBody)?;
    let written = records.put_export_record(&record).await?.as_log_str();
    tracing::info!(
        function = NAME,
        annotation_id = record.annotation_id,
        written,
        "export record"
    );
    Ok(HookResponse {
        messages,
        ..HookResponse::default()
    })
}

/// The gate with the settings' `checks` in place of the built-in sum checks and required
/// fields: the vendor check, then every check (its errors block, its warnings are shown).
pub fn gate_with_checks(
    event: &AnnotationContentEvent,
    settings: &Settings,
    checks: &RulesSettings,
) -> Result<Vec<Message>, WebhookError> {
    let mut messages = vendor_gate(event.content(), settings);
    let checked = crate::checks::run(NAME, checks, event, Trigger::Gate, &[])?;
    messages.extend(checked.messages);
    Ok(messages)
}

/// The vendor check: an unmatched vendor blocks confirmation and export.
fn vendor_gate(content: &[Node], settings: &Settings) -> Vec<Message> {
    let mut messages = Vec::new();
    match first_datapoint(content, &settings.vendor_target_schema_id) {
        None => messages.push(Message::error(
            None,
            format!(
                "Datapoint with schema ID '{}' is missing.",
                settings.vendor_target_schema_id
            ),
        )),
        Some(vendor) if filled(vendor).is_none() => {
            messages.push(Message::error(Some(vendor.id), VENDOR_NOT_MATCHED));
        }
        Some(_) => {}
    }
    messages
}

/// The gate's error messages; none when the annotation may be confirmed and exported.
pub fn gate(content: &[Node], settings: &Settings) -> Vec<Message> {
    let mut messages = vendor_gate(content, settings);
    for failure in sum_checks(content, settings) {
        messages.push(Message::error(failure.id, failure.message));
    }
    for (schema_id, datapoint) in missing_required_fields(content, &settings.required_schema_ids) {
        let message = match datapoint {
            Some(_) => format!("Required field '{schema_id}' is empty."),
            None => format!("Required field '{schema_id}' is missing."),
        };
        messages.push(Message::error(datapoint, message));
    }
    messages
}

/// The export record of an annotation that passed the gate, or why the body cannot give one.
pub fn export_record(
    event: &AnnotationContentEvent,
    settings: &Settings,
    export_settings: &ExportSettings,
) -> Result<ExportRecord, String> {
    let content = event.content();
    let annotation = event.annotation.as_ref();
    let annotation_id = annotation
        .and_then(|a| a.id)
        .ok_or("export event without 'annotation.id'")?;
    let exported_at = Timestamp::of_delivery(event.timestamp.as_deref(), "export event")?;
    let vendor_id = first_datapoint(content, &settings.vendor_target_schema_id)
        .and_then(filled)
        .ok_or("export record without a vendor")?
        .to_owned();
    // The document id, else the last segment of the annotation's document URL.
    let document_id = event.document.as_ref().and_then(|d| d.id).or_else(|| {
        annotation
            .and_then(|a| a.document.as_deref())
            .and_then(|url| url.trim_end_matches('/').rsplit('/').next())
            .and_then(|id| id.parse().ok())
    });
    let amount = |schema_id: &str| {
        first_datapoint(content, schema_id).and_then(|datapoint| {
            filled(datapoint)?;
            Some(Amount {
                raw: datapoint.value()?.to_owned(),
                value: amount_of(datapoint).filter(|v| v.is_finite()),
            })
        })
    };
    Ok(ExportRecord {
        annotation_id,
        document_id,
        vendor_id,
        amount_total: amount(&settings.amount_total_schema_id),
        amount_total_tax: amount(&settings.amount_total_tax_schema_id),
        amount_total_base: amount(&export_settings.amount_total_base_schema_id),
        // Rossum's currency enum holds lower-case ISO 4217 codes ("eur"); ERPs expect "EUR".
        currency: first_datapoint(content, &export_settings.currency_schema_id)
            .and_then(filled)
            .map(str::to_uppercase),
        exported_at,
        request_id: event.request_id.clone(),
    })
}

/// A datapoint's value, trimmed, when it is not blank.
fn filled(datapoint: &Node) -> Option<&str> {
    datapoint.value().map(str::trim).filter(|v| !v.is_empty())
}
