//! What a check shows and where, for header rules, per-row rules and aggregates.

use business_rules::Trigger;
use serde_json::json;
use webhook_model::rossum::MessageType::{Error, Warning};

use crate::annotation::*;

fn invoice(total: &str, amounts: &[&str]) -> Vec<webhook_model::rossum::Node> {
    let rows: Vec<Vec<(&str, &str)>> = amounts
        .iter()
        .map(|a| {
            vec![
                ("item_quantity", "2"),
                ("item_price", "1.5"),
                ("item_amount_total", *a),
            ]
        })
        .collect();
    let rows: Vec<&[(&str, &str)]> = rows.iter().map(Vec::as_slice).collect();
    content(vec![
        datapoint(10, "document_id", "INV-1"),
        datapoint(11, "amount_total", total),
        datapoint(12, "date_issue", "2026-11-01"),
        datapoint(13, "date_due", "2027-06-01"),
        table(5, &rows),
    ])
}

#[test]
fn a_header_rule_puts_its_message_on_a_datapoint_it_reads_and_errors_block_automation() {
    let checks = settings(json!([
        {"rule": "has_value({document_id})", "message": "Invoice number is mandatory."},
        {"rule": "{date_due} <= {date_issue} + timedelta(days=120)",
         "message": "Due date is more than 120 days after the issue date.", "type": "warning"}
    ]));
    let answer = run(&checks, &invoice("3", &["3"]), Trigger::Initialize, &[]).unwrap();
    assert_eq!(
        messages(&answer),
        [(
            Some(13),
            Warning,
            "Due date is more than 120 days after the issue date."
        )]
    );
    assert!(
        answer.automation_blockers.is_empty(),
        "a warning does not block"
    );

    let mut missing = invoice("3", &["3"]);
    missing[0].children[0].content.as_mut().unwrap().value = Some(String::new());
    let answer = run(&checks, &missing, Trigger::Initialize, &[]).unwrap();
    assert_eq!(
        messages(&answer)[0],
        (Some(10), Error, "Invoice number is mandatory.")
    );
    assert_eq!(
        answer.automation_blockers.len(),
        1,
        "an error blocks automation"
    );
    let on_export = run(&checks, &missing, Trigger::Gate, &[]).unwrap();
    assert!(
        on_export.automation_blockers.is_empty(),
        "blockers are for initialize"
    );
}

#[test]
fn a_row_rule_runs_per_row_and_marks_the_failing_rows_only() {
    let checks = settings(json!([
        {"rule": "{item_quantity} * {item_price} == {item_amount_total}",
         "message": "Quantity times price is not the line total."}
    ]));
    let answer = run(
        &checks,
        &invoice("9", &["3", "3.5", "", "3.00"]),
        Trigger::Initialize,
        &[],
    )
    .unwrap();
    // Row 1 fails; row 2's empty total skips it; 3.00 equals 3 as decimals.
    assert_eq!(
        messages(&answer),
        [(
            Some(cell(5, 1, 0)),
            Error,
            "Quantity times price is not the line total."
        )]
    );
}

#[test]
fn aggregates_ignore_empty_cells_and_money_adds_up_as_decimals() {
    let checks = settings(json!([
        {"rule": "sum({item_amount_total}) == {amount_total}", "message": "Lines do not add up."}
    ]));
    let adds_up = run(
        &checks,
        &invoice("0.3", &["0.1", "", "0.2"]),
        Trigger::Initialize,
        &[],
    )
    .unwrap();
    assert!(adds_up.messages.is_empty(), "{:?}", adds_up.messages);
    let does_not = run(
        &checks,
        &invoice("0.4", &["0.1", "", "0.2"]),
        Trigger::Initialize,
        &[],
    )
    .unwrap();
    assert_eq!(
        messages(&does_not),
        [(Some(11), Error, "Lines do not add up.")]
    );
}

#[test]
fn an_or_group_fails_only_when_every_member_fails() {
    let checks = settings(json!([{"or": [
        {"rule": "has_value({document_id})", "message": "An invoice number or an order number is needed."},
        {"rule": "has_value({order_id, default=\"\"})", "message": "An invoice number or an order number is needed."}
    ]}]));
    let present = run(&checks, &invoice("3", &["3"]), Trigger::Initialize, &[]).unwrap();
    assert!(present.messages.is_empty(), "{:?}", present.messages);
    let mut missing = invoice("3", &["3"]);
    missing[0].children[0].content.as_mut().unwrap().value = Some(String::new());
    let answer = run(&checks, &missing, Trigger::Initialize, &[]).unwrap();
    assert_eq!(
        answer.messages.len(),
        1,
        "one message for identical member texts: {:?}",
        answer.messages
    );
}

#[test]
fn conditions_queues_and_active_decide_whether_a_check_applies() {
    let checks = settings(json!([
        {"rule": "{amount_total} < 100", "message": "Large invoice.", "condition": "{document_id} == \"INV-1\""},
        {"rule": "{amount_total} < 100", "message": "Other queue.", "queue_ids": [1]},
        {"rule": "{amount_total} < 100", "message": "Switched off.", "active": "false"}
    ]));
    let answer = run(&checks, &invoice("500", &["500"]), Trigger::Initialize, &[]).unwrap();
    assert_eq!(messages(&answer), [(Some(11), Error, "Large invoice.")]);
}

#[test]
fn updated_runs_only_the_checks_that_read_a_changed_datapoint() {
    let checks = settings(json!([
        {"rule": "{amount_total} < 100", "message": "Large invoice."},
        {"rule": "has_value({document_id})", "message": "Invoice number is mandatory."}
    ]));
    let content = invoice("500", &["500"]);
    let untouched = run(&checks, &content, Trigger::Updated, &[12]).unwrap();
    assert!(untouched.messages.is_empty());
    let changed = run(&checks, &content, Trigger::Updated, &[11]).unwrap();
    assert_eq!(messages(&changed), [(Some(11), Error, "Large invoice.")]);
}

#[test]
fn checks_that_cannot_run_are_refused_naming_them() {
    let refused = |checks: serde_json::Value| {
        business_rules::RulesSettings::from_hook_settings(&json!({ "checks": checks }))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert!(refused(json!([{"rule": "has_value({a}", "message": "m"}])).contains("checks[0].rule"));
    assert!(refused(json!([{"message": "m"}])).contains("checks[0].rule is missing"));
    assert!(
        refused(json!([{"rule": "1", "message": "m", "type": "fatal"}])).contains("checks[0].type")
    );
    assert!(
        refused(json!(vec![json!({"rule": "1", "message": "m"}); 10_000])).contains("500 allowed")
    );
    let settings = business_rules::RulesSettings::from_hook_settings(
        &json!({"checks": [{"rule": "1 == 1", "message": "m", "colour": "red"}]}),
    )
    .unwrap()
    .unwrap();
    assert!(
        settings.warnings.iter().any(|w| w.contains("colour")),
        "{:?}",
        settings.warnings
    );
}

#[test]
fn a_datapoint_the_annotation_lacks_reads_as_empty() {
    let checks = settings(json!([
        {"rule": "has_value({currency})", "message": "The currency is required."},
        {"rule": "{currency} == \"EUR\"", "message": "Not in euros."}
    ]));
    let answer = run(&checks, &invoice("3", &["3"]), Trigger::Gate, &[]).unwrap();
    // `has_value` fails, document-wide as there is no datapoint to put it on; the comparison
    // is skipped as with an empty value.
    assert_eq!(
        messages(&answer),
        [(None, Error, "The currency is required.")]
    );
}

#[test]
fn checks_past_the_time_budget_do_not_run_and_a_warning_names_them() {
    let checks = settings(json!([
        {"rule": "{amount_total} < 100", "message": "Large invoice."},
        {"rule": "has_value({document_id})", "message": "Invoice number is mandatory."}
    ]));
    let content = invoice("500", &["500"]);
    let input = business_rules::RulesInput {
        content: &content,
        queue_url: None,
        trigger: Trigger::Initialize,
        changed: &[],
        today: today(),
    };
    let in_time =
        business_rules::run_checks_within(&checks, &input, std::time::Duration::from_secs(60))
            .unwrap();
    assert_eq!(in_time.messages.len(), 1);
    assert!(in_time.warnings.is_empty());
    let out_of_time =
        business_rules::run_checks_within(&checks, &input, std::time::Duration::ZERO).unwrap();
    assert!(out_of_time.messages.is_empty());
    assert_eq!(
        out_of_time.warnings,
        ["the checks took longer than 0ns and were stopped; did not run: checks[0], checks[1]"]
    );
}
