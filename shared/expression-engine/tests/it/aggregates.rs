//! Aggregates and empty cells, as the Expression Engine page's table shows them.

use expression_engine::Value;

use crate::*;

#[test]
fn the_documented_table_with_one_empty_cell() {
    let doc = Doc::new().column("item_amount", &["1", "2", "", "2"]);
    for rule in [
        "sum({item_amount})==5",
        "sum({item_amount, default=0})==5",
        "unique_len({item_amount})==2",
        "len({item_amount})==3",
        "len(filter(({item_amount}),\"\"))==3",
        "len({item_amount, default=0})==4",
    ] {
        assert!(truth_in(rule, &doc), "{rule}");
    }
}

#[test]
fn the_documented_table_with_only_empty_cells() {
    let doc = Doc::new().column("item_amount", &["", "", ""]);
    for rule in [
        "sum({item_amount})==None",
        "unique_len({item_amount})==None",
        "len({item_amount})==None",
        "len(filter(({item_amount}),\"\"))==None",
        "len({item_amount, default=0})==3",
    ] {
        assert!(truth_in(rule, &doc), "{rule}");
    }
}

#[test]
fn the_documented_table_without_rows() {
    for doc in [Doc::new().column("item_amount", &[]), Doc::new()] {
        for rule in [
            "sum({item_amount})==None",
            "sum({item_amount, default=0})==None",
            "unique_len({item_amount})==None",
            "len({item_amount})==None",
            "len(filter(({item_amount}),\"\"))==None",
            "len({item_amount, default=0})==None",
        ] {
            assert!(truth_in(rule, &doc), "{rule}");
        }
    }
}

#[test]
fn a_none_aggregate_is_unequal_and_has_no_order() {
    let doc = Doc::new()
        .column("item_amount_total", &[])
        .field("amount_total", "10");
    assert!(!truth_in(
        "sum({item_amount_total}) == {amount_total}",
        &doc
    ));
    assert!(truth_in("sum({item_amount_total}) != {amount_total}", &doc));
    assert!(skipped_in("sum({item_amount_total}) > 0", &doc));
    assert!(skipped_in("sum({item_amount_total}) + 1 == 1", &doc));
}

#[test]
fn every_aggregate_function() {
    let doc = Doc::new()
        .field("amount_total", "31.5")
        .column("item_amount", &["10.5", "", "20", "1"])
        .column("item_date", &["2024-03-01", "2024-01-15", "", "2024-02-01"])
        .column("item_description", &["Car", "bus", "", "Car"])
        .column("item_code", &["A1", "", "B2", "A1"]);
    assert!(truth_in("sum({item_amount}) == {amount_total}", &doc));
    assert_eq!(value_in("min({item_amount})", &doc), number("1"));
    assert_eq!(value_in("max({item_amount})", &doc), number("20"));
    assert!(truth_in("min({item_date}) == '2024-01-15'", &doc));
    assert!(truth_in("max({item_date}) == '2024-03-01'", &doc));
    assert_eq!(
        value_in("max({item_description})", &doc),
        Value::Text("bus".into())
    );
    assert_eq!(value_in("min(3, 1, 2)", &doc), number("1"));
    assert_eq!(value_in("max({item_amount}, 100)", &doc), number("100"));
    assert!(truth_in("len({item_code}) == 3", &doc));
    assert!(truth_in("unique_len({item_code}) == 2", &doc));
    assert_eq!(
        value_in("first_value({item_code})", &doc),
        Value::Text("A1".into())
    );
    assert_eq!(
        value_in("first_value(filter({item_amount}, ['', None, 10.5]))", &doc),
        Value::Text("20".into())
    );
    assert_eq!(
        value_in("filter({item_amount}, [0, None])", &doc),
        Value::List(vec![
            Value::Text("10.5".into()),
            Value::Text("20".into()),
            Value::Text("1".into())
        ])
    );
    assert!(truth_in("len(filter({item_amount}, 20)) == 2", &doc));
    assert!(truth_in("len(filter({item_amount})) == 3", &doc));
    assert!(truth_in("list_contains({item_description}, 'Car')", &doc));
    assert!(!truth_in("list_contains({item_description}, 'car')", &doc));
    assert!(truth_in(
        "list_contains({item_description}, ['car', 'bus'])",
        &doc
    ));
    assert!(truth_in("list_contains({item_amount}, 20.00)", &doc));
    assert!(truth_in("all({item_amount} > 0)", &doc));
    assert!(!truth_in("all({item_amount} > 5)", &doc));
    assert!(truth_in("any({item_amount} > 15)", &doc));
    assert!(!truth_in("any({item_amount} > 50)", &doc));
    assert!(truth_in("all({item_amount} <= {amount_total})", &doc));
    assert!(truth_in(
        "all(has_value({item_description}) or has_value({item_code}))",
        &doc
    ));
    assert!(!truth_in("all(has_value({item_description}))", &doc));
    assert!(truth_in("sum({item_amount} * 2) == 63", &doc));
    assert!(truth_in("sum([1, 2, '3']) == 6", &doc));
    assert!(truth_in(
        "len([{amount_total}, {empty}]) == 1",
        &doc.field("empty", "")
    ));
}

#[test]
fn row_wise_aggregates_leave_out_rows_with_an_empty_operand() {
    let doc = Doc::new()
        .column("item_price", &["2", "", "3"])
        .column("item_quantity", &["5", "7", ""])
        .column("item_total", &["10", "7", "3"]);
    assert!(truth_in("sum({item_price} * {item_quantity}) == 10", &doc));
    assert!(truth_in(
        "all({item_price} * {item_quantity} == {item_total})",
        &doc
    ));
    assert!(truth_in(
        "len({item_price} * {item_quantity, default=1}) == 2",
        &doc
    ));
    assert!(truth_in(
        "sum({item_price, default=1} * {item_quantity, default=1}) == 20",
        &doc
    ));
    assert!(truth_in("all({item_total} <= max({item_total}))", &doc));
}

#[test]
fn aggregates_of_nothing_are_none() {
    let doc = Doc::new().column("c", &["", ""]);
    for f in [
        "sum",
        "min",
        "max",
        "len",
        "unique_len",
        "first_value",
        "all",
        "any",
    ] {
        assert_eq!(value_in(&format!("{f}({{c}})"), &doc), Value::None, "{f}");
    }
    assert_eq!(value_in("list_contains({c}, 'x')", &doc), Value::None);
    assert_eq!(value_in("filter({c})", &doc), Value::List(vec![]));
    assert_eq!(value_in("all({c} > 0)", &doc), Value::None);
}

#[test]
fn a_header_field_in_an_aggregate_is_a_column_of_one() {
    let doc = Doc::new().field("vendor", "ACME").field("blank", "");
    assert!(truth_in("len({vendor}) == 1", &doc));
    assert!(truth_in("len({blank}) == None", &doc));
    assert!(truth_in("list_contains({vendor}, ['ACME', 'X'])", &doc));
}

#[test]
fn aggregate_type_errors_name_the_problem() {
    let doc = Doc::new()
        .column("c", &["1", "abc"])
        .column("d", &["1", "2", "3"]);
    assert!(
        error_in("sum({c})", &doc)
            .to_string()
            .contains("sum() of a text")
    );
    assert!(
        error_in("max({c})", &doc)
            .to_string()
            .contains("cannot compare")
    );
    assert!(
        error_in("all({c} == {d})", &doc)
            .to_string()
            .contains("columns of different lengths (2 and 3)")
    );
    assert!(
        error_in("{d} > 1", &doc)
            .to_string()
            .contains("a table column outside an aggregate")
    );
}
