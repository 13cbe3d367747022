//! The configurations Rossum publishes for Business Rules Validation, pasted as settings: for
//! each, an annotation where it holds and one where it does not, with the message, the
//! datapoint it is on, its type and the automation blockers the pages describe. Rule texts are
//! the pages' own; where a page gives an expression without a check, the message is ours.

use business_rules::{RulesAnswer, RulesInput, RulesSettings, Trigger, run_checks};
use serde_json::{Value, json};
use webhook_model::rossum::MessageType::{Error, Info, Warning};
use webhook_model::rossum::Node;

use crate::annotation::*;

/// The answer's automation blockers as `(datapoint, text)`.
fn blockers(answer: &RulesAnswer) -> Vec<(Option<u64>, &str)> {
    answer
        .automation_blockers
        .iter()
        .map(|b| (b.id, b.content.as_str()))
        .collect()
}

/// The settings exactly as pasted (`checks` and `variables` as the page has them).
fn pasted(settings: Value) -> RulesSettings {
    let read = RulesSettings::from_hook_settings(&settings)
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("checks");
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    read
}

fn in_queue(checks: &RulesSettings, content: &[Node], queue: u64) -> RulesAnswer {
    let url = format!("https://example.rossum.app/api/v1/queues/{queue}");
    run_checks(
        checks,
        &RulesInput {
            content,
            queue_url: Some(&url),
            trigger: Trigger::Initialize,
            changed: &[],
            today: today(),
        },
    )
    .unwrap()
}

fn initialize(checks: &RulesSettings, content: &[Node]) -> RulesAnswer {
    run(checks, content, Trigger::Initialize, &[]).unwrap()
}

fn header(fields: &[(&str, &str)]) -> Vec<Node> {
    content(
        fields
            .iter()
            .enumerate()
            .map(|(i, (schema_id, value))| datapoint(10 + i as u64, schema_id, value))
            .collect(),
    )
}

/// Header fields (ids 10, 11, …) and one line-item table (id 5) of `rows`.
fn invoice(fields: &[(&str, &str)], rows: &[&[(&str, &str)]]) -> Vec<Node> {
    let mut nodes: Vec<Value> = fields
        .iter()
        .enumerate()
        .map(|(i, (schema_id, value))| datapoint(10 + i as u64, schema_id, value))
        .collect();
    nodes.push(table(5, rows));
    content(nodes)
}

// https://rossum.university/docs/learn/business-rules-validation ("Basic usage", "Available
// configuration options")
mod business_rules_validation_page {
    use super::*;

    const MANDATORY: &str = "Invoice number is mandatory.";

    fn default_configuration() -> RulesSettings {
        pasted(json!({
            "checks": [{"rule": "has_value({document_id})", "message": MANDATORY}],
            "variables": {}
        }))
    }

    #[test]
    fn the_default_configuration_requires_an_invoice_number_as_a_blocking_error() {
        let checks = default_configuration();
        let filled = header(&[("document_id", "INV-1")]);
        let answer = initialize(&checks, &filled);
        assert!(answer.messages.is_empty() && answer.automation_blockers.is_empty());

        let empty = header(&[("document_id", "")]);
        let answer = initialize(&checks, &empty);
        assert_eq!(messages(&answer), [(Some(10), Error, MANDATORY)]);
        // The type defaults to error, and an error blocks automation.
        assert_eq!(blockers(&answer), [(Some(10), MANDATORY)]);

        let updated = run(&checks, &empty, Trigger::Updated, &[10]).unwrap();
        assert_eq!(messages(&updated), [(Some(10), Error, MANDATORY)]);
        assert!(updated.automation_blockers.is_empty());
        let exported = run(&checks, &empty, Trigger::Gate, &[]).unwrap();
        assert_eq!(messages(&exported), [(Some(10), Error, MANDATORY)]);
    }

    /// The page's check with every option, its `//` comments removed as JSON requires.
    fn every_option(rule: &str, condition: &str) -> RulesSettings {
        pasted(json!({"checks": [{
            "rule": rule,
            "message": MANDATORY,
            "type": "error",
            "automation_blocker": true,
            "active": true,
            "queue_ids": [123, 456],
            "condition": condition
        }]}))
    }

    #[test]
    fn the_example_with_every_option_applies_only_where_its_condition_holds_so_never_fires() {
        let checks = every_option("has_value({document_id})", "has_value({document_id})");
        for value in ["INV-1", ""] {
            let answer = in_queue(&checks, &header(&[("document_id", value)]), 123);
            assert!(
                answer.messages.is_empty(),
                "{value:?}: {:?}",
                answer.messages
            );
        }
    }

    #[test]
    fn queue_ids_limit_a_check_to_the_listed_queues() {
        let checks = every_option("has_value({document_id})", "");
        let empty = header(&[("document_id", "")]);
        for queue in [123, 456] {
            let answer = in_queue(&checks, &empty, queue);
            assert_eq!(messages(&answer), [(Some(10), Error, MANDATORY)]);
            assert_eq!(blockers(&answer), [(Some(10), MANDATORY)]);
        }
        let elsewhere = in_queue(&checks, &empty, 789);
        assert!(elsewhere.messages.is_empty() && elsewhere.automation_blockers.is_empty());
    }

    #[test]
    fn a_condition_decides_whether_the_rule_is_applied() {
        // The condition of the page with the face-value rule of the examples page.
        let checks = every_option(
            "{amount_total} == {amount_total_base} + {amount_total_tax}",
            "has_value({document_id})",
        );
        let wrong = |id: &str| {
            header(&[
                ("document_id", id),
                ("amount_total", "121.00"),
                ("amount_total_base", "100.00"),
                ("amount_total_tax", "20.00"),
            ])
        };
        assert!(in_queue(&checks, &wrong(""), 123).messages.is_empty());
        let answer = in_queue(&checks, &wrong("INV-1"), 123);
        assert_eq!(messages(&answer), [(Some(11), Error, MANDATORY)]);
    }

    #[test]
    fn automation_blocker_makes_a_warning_or_an_info_block_automation() {
        for (kind, expected) in [("warning", Warning), ("info", Info)] {
            let blocking = pasted(json!({"checks": [{
                "rule": "has_value({document_id})", "message": MANDATORY,
                "type": kind, "automation_blocker": true
            }]}));
            let quiet = pasted(json!({"checks": [{
                "rule": "has_value({document_id})", "message": MANDATORY, "type": kind
            }]}));
            let empty = header(&[("document_id", "")]);
            let answer = initialize(&blocking, &empty);
            assert_eq!(messages(&answer), [(Some(10), expected, MANDATORY)]);
            assert_eq!(blockers(&answer), [(Some(10), MANDATORY)]);
            let answer = initialize(&quiet, &empty);
            assert_eq!(messages(&answer), [(Some(10), expected, MANDATORY)]);
            assert!(answer.automation_blockers.is_empty());
        }
    }
}

// https://rossum.university/docs/learn/business-rules-validation/configuration-examples
mod configuration_examples_page {
    use super::*;

    const FACE_VALUE: &str = "Total amount is not equal to the sum of amount base and the tax";
    const LINES: &str = "The sum of line items is not equal to the total amount.";
    const ONE_VALUE: &str = "At least one value has to be filled.";

    #[test]
    fn invoice_face_value_discrepancy() {
        let checks = pasted(json!({"checks": [{
            "rule": "{amount_total} == {amount_total_base} + {amount_total_tax}",
            "type": "error",
            "message": FACE_VALUE,
            "automation_blocker": true
        }]}));
        let totals = |total: &str, base: &str, tax: &str| {
            header(&[
                ("amount_total", total),
                ("amount_total_base", base),
                ("amount_total_tax", tax),
            ])
        };
        // Decimal money: 1000.10 + 210.20 is exactly 1210.30.
        assert!(
            initialize(&checks, &totals("1210.30", "1000.10", "210.20"))
                .messages
                .is_empty()
        );
        let answer = initialize(&checks, &totals("1210.30", "1000.10", "210.00"));
        assert_eq!(messages(&answer), [(Some(10), Error, FACE_VALUE)]);
        assert_eq!(blockers(&answer), [(Some(10), FACE_VALUE)]);
        // An empty operand skips the rule while the document is being annotated.
        assert!(
            initialize(&checks, &totals("1210.30", "1000.10", ""))
                .messages
                .is_empty()
        );
        let on_export = run(
            &checks,
            &totals("1210.30", "1000.10", "210.00"),
            Trigger::Gate,
            &[],
        )
        .unwrap();
        assert_eq!(messages(&on_export), [(Some(10), Error, FACE_VALUE)]);
    }

    #[test]
    fn sum_of_line_items_must_match_invoice_total() {
        let checks = pasted(json!({"checks": [{
            "rule": "sum({item_amount_total}) == {amount_total}",
            "type": "error",
            "message": LINES,
            "automation_blocker": true
        }]}));
        let lines: &[&[(&str, &str)]] = &[
            &[("item_amount_total", "100.10")],
            &[("item_amount_total", "")],
            &[("item_amount_total", "200.20")],
        ];
        let adds_up = invoice(&[("amount_total", "300.30")], lines);
        assert!(initialize(&checks, &adds_up).messages.is_empty());
        let does_not = invoice(&[("amount_total", "300.00")], lines);
        let answer = initialize(&checks, &does_not);
        // An aggregate rule's message goes on the header field it reads.
        assert_eq!(messages(&answer), [(Some(10), Error, LINES)]);
        assert_eq!(blockers(&answer), [(Some(10), LINES)]);
        // Editing a line reruns it on `updated`.
        let updated = run(&checks, &does_not, Trigger::Updated, &[cell(5, 2, 0)]).unwrap();
        assert_eq!(messages(&updated), [(Some(10), Error, LINES)]);
    }

    #[test]
    fn at_least_one_field_must_be_filled() {
        let checks = pasted(json!({"checks": [{"or": [
            {"rule": "has_value({aaa})", "message": ONE_VALUE},
            {"rule": "has_value({bbb})", "message": ONE_VALUE},
            {"rule": "has_value({ccc})", "message": ONE_VALUE}
        ]}]}));
        let fields = |a: &str, b: &str, c: &str| header(&[("aaa", a), ("bbb", b), ("ccc", c)]);
        for one_filled in [
            fields("x", "", ""),
            fields("", "", "x"),
            fields("x", "y", "z"),
        ] {
            let answer = initialize(&checks, &one_filled);
            assert!(answer.messages.is_empty(), "{:?}", answer.messages);
        }
        let answer = initialize(&checks, &fields("", "", ""));
        // Members sharing a text show it once, on the first member's datapoint.
        assert_eq!(messages(&answer), [(Some(10), Error, ONE_VALUE)]);
        assert_eq!(blockers(&answer), [(Some(10), ONE_VALUE)]);
    }
}

// https://rossum.university/docs/learn/business-rules-validation/expression-engine (the same
// examples as https://developers.rossum.ai/docs/expression-engine)
mod expression_engine_page {
    use super::*;

    fn check(rule: &str) -> RulesSettings {
        pasted(json!({"checks": [{"rule": rule, "message": "Rule violated."}]}))
    }

    fn warning(rule: &str) -> RulesSettings {
        pasted(json!({"checks": [{"rule": rule, "message": "Rule violated.", "type": "warning"}]}))
    }

    #[test]
    fn a_header_date_compared_with_a_date_literal() {
        let checks = check(r#"{issue_date} > "2023-01-01""#);
        assert!(
            initialize(&checks, &header(&[("issue_date", "2023-01-02")]))
                .messages
                .is_empty()
        );
        for not_after in ["2023-01-01", "2022-12-31"] {
            let answer = initialize(&checks, &header(&[("issue_date", not_after)]));
            assert_eq!(messages(&answer), [(Some(10), Error, "Rule violated.")]);
        }
    }

    #[test]
    fn a_line_item_rule_marks_the_failing_rows() {
        let checks = warning("{item_price} * {item_amount} == {item_total}");
        let rows: &[&[(&str, &str)]] = &[
            &[
                ("item_price", "2.50"),
                ("item_amount", "4"),
                ("item_total", "10.00"),
            ],
            &[
                ("item_price", "1.10"),
                ("item_amount", "3"),
                ("item_total", "3.30"),
            ],
            &[
                ("item_price", "5"),
                ("item_amount", "2"),
                ("item_total", "11"),
            ],
            &[
                ("item_price", "5"),
                ("item_amount", ""),
                ("item_total", "11"),
            ],
        ];
        let answer = initialize(&checks, &invoice(&[], rows));
        // Row 2 fails (on its first column the rule reads); row 3's empty amount skips it.
        assert_eq!(
            messages(&answer),
            [(Some(cell(5, 2, 0)), Warning, "Rule violated.")]
        );
        assert!(
            answer.automation_blockers.is_empty(),
            "a warning does not block"
        );
        let updated = run(
            &checks,
            &invoice(&[], rows),
            Trigger::Updated,
            &[cell(5, 2, 2)],
        )
        .unwrap();
        assert_eq!(
            messages(&updated),
            [(Some(cell(5, 2, 0)), Warning, "Rule violated.")]
        );
        let elsewhere = run(
            &checks,
            &invoice(&[("x", "1")], rows),
            Trigger::Updated,
            &[10],
        )
        .unwrap();
        assert!(elsewhere.messages.is_empty(), "no column it reads changed");
    }

    #[test]
    fn a_column_sum_compared_with_a_header_field() {
        let checks = check("sum({item_total}) == {total_price}");
        let rows: &[&[(&str, &str)]] = &[&[("item_total", "0.1")], &[("item_total", "0.2")]];
        assert!(
            initialize(&checks, &invoice(&[("total_price", "0.3")], rows))
                .messages
                .is_empty()
        );
        let answer = initialize(&checks, &invoice(&[("total_price", "0.30000001")], rows));
        assert_eq!(messages(&answer), [(Some(10), Error, "Rule violated.")]);
        assert_eq!(blockers(&answer), [(Some(10), "Rule violated.")]);
    }

    #[test]
    fn has_value_and_is_empty_test_emptiness_instead_of_skipping() {
        let filled = check("has_value({data_point})");
        let empty = check("is_empty({empty_point})");
        let document =
            |data: &str, other: &str| header(&[("data_point", data), ("empty_point", other)]);
        assert!(initialize(&filled, &document("x", "")).messages.is_empty());
        assert!(initialize(&empty, &document("x", "")).messages.is_empty());
        assert_eq!(
            messages(&initialize(&filled, &document("", ""))),
            [(Some(10), Error, "Rule violated.")]
        );
        assert_eq!(
            messages(&initialize(&empty, &document("", "y"))),
            [(Some(11), Error, "Rule violated.")]
        );
    }

    const WITH_AN_EMPTY_CELL: [&str; 6] = [
        "sum({item_amount})==5",
        "sum({item_amount, default=0})==5",
        "unique_len({item_amount})==2",
        "len({item_amount})==3",
        r#"len(filter(({item_amount}),""))==3"#,
        "len({item_amount, default=0})==4",
    ];

    fn amounts(cells: &[&str]) -> Vec<Node> {
        let rows: Vec<[(&str, &str); 1]> = cells.iter().map(|c| [("item_amount", *c)]).collect();
        let rows: Vec<&[(&str, &str)]> = rows.iter().map(|r| r.as_slice()).collect();
        invoice(&[], &rows)
    }

    #[test]
    fn aggregates_leave_empty_cells_out_as_the_pages_table_shows() {
        for rule in WITH_AN_EMPTY_CELL {
            let answer = initialize(&check(rule), &amounts(&["1", "2", "", "2"]));
            assert!(answer.messages.is_empty(), "{rule}: {:?}", answer.messages);
            // With another column the rule is false; it reads no header field, so its
            // message is document-wide.
            let answer = initialize(&check(rule), &amounts(&["1", "2", "", "3", "4"]));
            assert_eq!(
                messages(&answer),
                [(None, Error, "Rule violated.")],
                "{rule}"
            );
        }
    }

    #[test]
    fn aggregates_of_a_column_of_empty_cells_are_none() {
        for rule in [
            "sum({item_amount})==None",
            "unique_len({item_amount})==None",
            "len({item_amount})==None",
            r#"len(filter(({item_amount}),""))==None"#,
            "len({item_amount, default=0})==3",
        ] {
            let answer = initialize(&check(rule), &amounts(&["", "", ""]));
            assert!(answer.messages.is_empty(), "{rule}: {:?}", answer.messages);
            let answer = initialize(&check(rule), &amounts(&["", "1"]));
            assert_eq!(
                messages(&answer),
                [(None, Error, "Rule violated.")],
                "{rule}"
            );
        }
    }

    #[test]
    fn aggregates_of_a_table_without_rows_are_none_default_included() {
        for rule in [
            "sum({item_amount})==None",
            "sum({item_amount, default=0})==None",
            "unique_len({item_amount})==None",
            "len({item_amount})==None",
            r#"len(filter(({item_amount}),""))==None"#,
            "len({item_amount, default=0})==None",
        ] {
            let answer = initialize(&check(rule), &amounts(&[]));
            assert!(answer.messages.is_empty(), "{rule}: {:?}", answer.messages);
            assert!(answer.warnings.is_empty(), "{rule}: {:?}", answer.warnings);
        }
    }

    #[test]
    fn filter_removes_the_listed_values_after_the_cast() {
        let checks = check("len(filter({item_price}, [0,None])) == len({item_price})");
        let prices = |cells: &[&str]| {
            let rows: Vec<[(&str, &str); 1]> = cells.iter().map(|c| [("item_price", *c)]).collect();
            let rows: Vec<&[(&str, &str)]> = rows.iter().map(|r| r.as_slice()).collect();
            invoice(&[], &rows)
        };
        assert!(
            initialize(&checks, &prices(&["10", "5.50"]))
                .messages
                .is_empty()
        );
        assert_eq!(
            messages(&initialize(&checks, &prices(&["10", "0.00", "5.50"]))),
            [(None, Error, "Rule violated.")]
        );
    }

    #[test]
    fn first_value_of_a_filtered_column() {
        let checks = check(r#"first_value(filter({item_code},["",None])) == {order_code}"#);
        let rows: &[&[(&str, &str)]] = &[&[("item_code", "")], &[("item_code", "A-1")]];
        assert!(
            initialize(&checks, &invoice(&[("order_code", "A-1")], rows))
                .messages
                .is_empty()
        );
        assert_eq!(
            messages(&initialize(
                &checks,
                &invoice(&[("order_code", "B-2")], rows)
            )),
            [(Some(10), Error, "Rule violated.")]
        );
    }

    #[test]
    fn a_literal_default_stands_in_for_an_empty_field() {
        let checks = check(r#"{vendor, default="Rossum"} == "Rossum""#);
        assert!(
            initialize(&checks, &header(&[("vendor", "")]))
                .messages
                .is_empty()
        );
        assert!(
            initialize(&checks, &header(&[("vendor", "Rossum")]))
                .messages
                .is_empty()
        );
        assert_eq!(
            messages(&initialize(&checks, &header(&[("vendor", "Acme")]))),
            [(Some(10), Error, "Rule violated.")]
        );
    }

    #[test]
    fn a_datapoint_default_lets_a_line_fall_back_on_the_header() {
        // The help centre's "delivery date in the header or on the lines".
        // The example's spelling and the prose's `{x, default=value('other')}`.
        for rule in [
            "has_value(value({item_delivery_date}, default={delivery_date}))",
            "has_value({item_delivery_date, default=value('delivery_date')})",
        ] {
            let checks = check(rule);
            let rows: &[&[(&str, &str)]] = &[
                &[("item_delivery_date", "2026-11-02")],
                &[("item_delivery_date", "")],
            ];
            assert!(
                initialize(&checks, &invoice(&[("delivery_date", "2026-11-01")], rows))
                    .messages
                    .is_empty()
            );
            let answer = initialize(&checks, &invoice(&[("delivery_date", "")], rows));
            assert_eq!(
                messages(&answer),
                [(Some(cell(5, 1, 0)), Error, "Rule violated.")]
            );
        }
    }

    #[test]
    fn today_plus_a_timedelta_compared_with_a_due_date() {
        // Today is 2026-12-01 in these tests.
        let checks = check("today() + timedelta(days=2) > {due_date}");
        assert!(
            initialize(&checks, &header(&[("due_date", "2026-12-02")]))
                .messages
                .is_empty()
        );
        for due in ["2026-12-03", "2027-01-15"] {
            assert_eq!(
                messages(&initialize(&checks, &header(&[("due_date", due)]))),
                [(Some(10), Error, "Rule violated.")],
                "{due}"
            );
        }
    }

    fn descriptions(cells: &[&str]) -> Vec<Node> {
        let rows: Vec<[(&str, &str); 1]> =
            cells.iter().map(|c| [("item_description", *c)]).collect();
        let rows: Vec<&[(&str, &str)]> = rows.iter().map(|r| r.as_slice()).collect();
        invoice(&[("sender_name", "Rossum Ltd")], &rows)
    }

    #[test]
    fn list_contains_looks_for_an_element_of_the_column() {
        let checks = check(r#"list_contains({item_description}, "car")"#);
        assert!(
            initialize(&checks, &descriptions(&["bus", "car"]))
                .messages
                .is_empty()
        );
        assert_eq!(
            messages(&initialize(&checks, &descriptions(&["bus", "red car"]))),
            [(None, Error, "Rule violated.")]
        );
    }

    #[test]
    fn list_contains_with_a_list_looks_for_any_of_them() {
        // The page's text has one closing parenthesis too many: pasted as it is, the check
        // is refused naming it.
        let refused = RulesSettings::from_hook_settings(&json!({"checks": [{
            "rule": r#"list_contains({item_description}, ["car", "bus"]))"#, "message": "m"
        }]}))
        .unwrap_err();
        assert!(refused.to_string().contains("checks[0].rule"), "{refused}");
        let checks = check(r#"list_contains({item_description}, ["car", "bus"])"#);
        assert!(
            initialize(&checks, &descriptions(&["van", "bus"]))
                .messages
                .is_empty()
        );
        assert_eq!(
            messages(&initialize(&checks, &descriptions(&["van", "truck"]))),
            [(None, Error, "Rule violated.")]
        );
    }

    #[test]
    fn regexp_on_each_line_and_ignoring_case_on_the_header() {
        let lines = check(r#"regexp("[Cc]ar$", {item_description})"#);
        let answer = initialize(
            &lines,
            &descriptions(&["Red car", "Sports Car", "Car wash", ""]),
        );
        // Only "Car wash" fails; an empty description skips its line.
        assert_eq!(
            messages(&answer),
            [(Some(cell(5, 2, 0)), Error, "Rule violated.")]
        );
        let sender = check(r#"regexp("rossum", {sender_name}, ignore_case=True)"#);
        assert!(initialize(&sender, &descriptions(&[])).messages.is_empty());
        assert_eq!(
            messages(&initialize(
                &sender,
                &header(&[("sender_name", "Acme Inc.")])
            )),
            [(Some(10), Error, "Rule violated.")]
        );
        let case_sensitive = check(r#"regexp("rossum", {sender_name})"#);
        assert_eq!(
            messages(&initialize(&case_sensitive, &descriptions(&[]))),
            [(Some(10), Error, "Rule violated.")]
        );
    }

    #[test]
    fn substring_is_case_sensitive_with_the_needle_first() {
        let checks = check(r#"substring("Ltd", {sender_name})"#);
        assert!(
            initialize(&checks, &header(&[("sender_name", "Rossum Ltd")]))
                .messages
                .is_empty()
        );
        assert_eq!(
            messages(&initialize(
                &checks,
                &header(&[("sender_name", "Rossum LTD")])
            )),
            [(Some(10), Error, "Rule violated.")]
        );
    }

    #[test]
    fn similarity_is_the_levenshtein_distance() {
        let checks = check(r#"similarity({item_description},"Car") > 2"#);
        let answer = initialize(&checks, &descriptions(&["Bicycle", "Cat", "car", "Truck"]));
        // "Cat" and "car" are one edit from "Car".
        assert_eq!(
            messages(&answer),
            [
                (Some(cell(5, 1, 0)), Error, "Rule violated."),
                (Some(cell(5, 2, 0)), Error, "Rule violated.")
            ]
        );
    }
}
