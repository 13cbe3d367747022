//! Literals, operators, precedence, casting, empty operands and every function.

use expression_engine::{Date, Evaluated, Expression, Lookup, Placeholder, Value};

use crate::*;

#[test]
fn documented_examples_evaluate() {
    let doc = Doc::new()
        .field("issue_date", "2024-03-01")
        .field("total_price", "30")
        .column("item_price", &["2", "5"])
        .column("item_amount", &["5", "4"])
        .column("item_total", &["10", "20"]);
    assert!(truth_in(r#"{issue_date} > "2023-01-01""#, &doc));
    assert!(truth_in("sum({item_total}) == {total_price}", &doc));
    assert!(truth_in(
        "{item_price} * {item_amount} == {item_total}",
        &doc.at_row(1)
    ));
}

#[test]
fn literals() {
    assert_eq!(value("'single'"), Value::Text("single".into()));
    assert_eq!(
        value(r#""double \"quoted\"""#),
        Value::Text("double \"quoted\"".into())
    );
    assert_eq!(value(r#""\d+""#), Value::Text("\\d+".into()));
    assert_eq!(value("12"), number("12"));
    assert_eq!(value("1.50"), number("1.50"));
    assert_eq!(value(".5"), number("0.5"));
    assert_eq!(value("1e3"), number("1000"));
    assert_eq!(value("None"), Value::None);
    assert_eq!(value("True"), Value::Bool(true));
    assert_eq!(value("False"), Value::Bool(false));
    assert_eq!(
        value("[0, None, 'a',]"),
        Value::List(vec![number("0"), Value::None, Value::Text("a".into())])
    );
    assert_eq!(value("[]"), Value::List(vec![]));
}

#[test]
fn arithmetic_is_decimal_and_pythonic() {
    assert!(truth("0.1 + 0.2 == 0.3"));
    assert_eq!(value("7 - 10"), number("-3"));
    assert_eq!(value("1.10 * 3"), number("3.30"));
    assert_eq!(value("7 / 2"), number("3.5"));
    assert_eq!(value("7 // 2"), number("3"));
    assert_eq!(value("-7 // 2"), number("-4"));
    assert_eq!(value("7 % 3"), number("1"));
    assert_eq!(value("-7 % 2"), number("1"));
    assert_eq!(value("7 % -2"), number("-1"));
    assert_eq!(value("5.5 % 2"), number("1.5"));
    // The documentation's unquoted date is arithmetic.
    assert_eq!(value("2023-12-24"), number("1987"));
    assert_eq!(value("-(2 + 3)"), number("-5"));
    assert_eq!(value("+2"), number("2"));
    assert_eq!(value("True + 1"), number("2"));
    assert_eq!(value("'ab' + \"cd\""), Value::Text("abcd".into()));
}

#[test]
fn precedence_follows_python() {
    assert_eq!(value("2 + 3 * 4"), number("14"));
    assert_eq!(value("(2 + 3) * 4"), number("20"));
    assert_eq!(value("10 - 4 - 3"), number("3"));
    assert_eq!(value("2 * 3 % 4"), number("2"));
    assert_eq!(value("-2 * 3"), number("-6"));
    assert!(truth("1 + 1 == 2 and 3 > 2"));
    assert!(truth("not 1 == 2"));
    assert!(truth("True or True and False"));
    assert!(!truth("(True or True) and False"));
    assert!(truth("not False and True"));
    // xor binds tighter than or and looser than and.
    assert!(truth("True or True xor True"));
    assert!(!truth("True xor True and True"));
    assert!(truth("1 == 1 xor 1 == 2"));
}

#[test]
fn comparisons_chain_and_cast() {
    assert!(truth("1 < 2 <= 2 < 3"));
    assert!(!truth("1 < 3 < 2"));
    assert!(truth("1 != 2"));
    assert!(truth("'10' == 10.0"));
    assert!(truth("'2024-01-02' > '2023-12-31'"));
    assert!(truth("'abc' < 'abd'"));
    assert!(truth("'b' >= 'a'"));
    assert!(truth("None == None"));
    assert!(!truth("None == 0"));
    assert!(truth("None != 0"));
    assert!(!truth("'PO-1' == 1"));
    assert!(truth("True == 1"));
    assert!(truth("[1, 'a'] == ['1.0', 'a']"));
    let e = error("'PO-1' < 1");
    assert!(
        e.to_string()
            .contains("cannot compare a text with a number"),
        "{e}"
    );
    assert!(
        error("'2024-01-01' > 5")
            .to_string()
            .contains("a date with a number")
    );
}

#[test]
fn ordering_or_arithmetic_with_none_skips() {
    for text in [
        "None < 1",
        "None + 1",
        "1 - None",
        "-None",
        "int(None)",
        "None >= None",
    ] {
        assert!(skipped_in(text, &Doc::new()), "{text}");
    }
}

#[test]
fn fields_are_cast_where_operators_use_them() {
    let doc = Doc::new()
        .field("amount", "1000.50")
        .field("date", "2024-03-15")
        .field("code", "0012")
        .field("po", "PO-1");
    assert!(truth_in("{amount} > 1000", &doc));
    assert!(truth_in("{amount} == '1000.5'", &doc));
    assert!(truth_in("{date} == '2024-03-15'", &doc));
    assert!(truth_in(
        "{date} < today()",
        &doc.field("date", "2024-03-14")
    ));
    let doc = Doc::new().field("code", "0012").field("po", "PO-1");
    assert_eq!(value_in("{code}", &doc), Value::Text("0012".into()));
    assert!(truth_in("{code} == 12", &doc));
    assert!(truth_in("regexp('^0', {code})", &doc));
    assert_eq!(value_in("str({code})", &doc), Value::Text("0012".into()));
    assert!(truth_in("{po} == 'PO-1'", &doc));
    assert_eq!(value_in("{po} + '/x'", &doc), Value::Text("PO-1/x".into()));
}

#[test]
fn manual_casts() {
    assert_eq!(value("int('12.9')"), number("12"));
    assert_eq!(value("int(-12.9)"), number("-12"));
    assert_eq!(value("float('1.50')"), number("1.50"));
    assert_eq!(value("int(True)"), number("1"));
    assert_eq!(
        value("date('2024-02-29')"),
        Value::Date(Date::from_ymd(2024, 2, 29).unwrap())
    );
    assert_eq!(
        value("date('2024-02-29T10:00:00')"),
        Value::Date(Date::from_ymd(2024, 2, 29).unwrap())
    );
    assert_eq!(value("str(1.50)"), Value::Text("1.50".into()));
    assert_eq!(value("str(True)"), Value::Text("True".into()));
    assert_eq!(value("str(None)"), Value::Text("None".into()));
    assert_eq!(
        value("str(date('2024-01-05'))"),
        Value::Text("2024-01-05".into())
    );
    assert_eq!(value("str([1, 'a'])"), Value::Text("[1, 'a']".into()));
    // A str() text stays text: it joins, compares as text, and does not add to a number.
    assert_eq!(value("str(1.50) + str(2)"), Value::Text("1.502".into()));
    assert!(truth("str(10) < '9'"));
    assert!(!truth("str(1.0) == '1'"));
    assert!(
        error("str(1) + 1")
            .to_string()
            .contains("cannot apply '+' to a text and a number")
    );
    assert_eq!(value("int(str(12))"), number("12"));
    assert!(
        error("int('abc')")
            .to_string()
            .contains("'abc' is not a number")
    );
    assert!(
        error("float('2024-01-01')")
            .to_string()
            .contains("a date is not a number")
    );
    assert!(
        error("date('2023-02-29')")
            .to_string()
            .contains("is not a date")
    );
    assert!(
        error("date(5)")
            .to_string()
            .contains("a number is not a date")
    );
}

#[test]
fn an_empty_operand_skips_the_evaluation() {
    let doc = Doc::new().field("a", "").field("b", "5");
    assert!(skipped_in("{a} == 1", &doc));
    assert!(skipped_in("{a} == ''", &doc));
    assert!(skipped_in("{b} == 5 or {a} == 1", &doc));
    assert!(skipped_in("{b} == 4 and {a} == 1", &doc));
    assert!(skipped_in("{missing} > 0", &doc));
    assert!(skipped_in("str({a})", &doc));
    assert!(skipped_in("regexp('x', {a})", &doc));
    assert!(truth_in("{a, default=1} == 1", &doc));
    assert!(truth_in("{a, default='x'} + 'y' == 'xy'", &doc));
    assert!(truth_in("{a, default=value('b')} == 5", &doc));
    assert!(truth_in("value({a}, default={b}) == 5", &doc));
    assert!(truth_in("value('b') == 5", &doc));
    assert!(skipped_in("value('a')", &doc));
    assert!(skipped_in("value({a}, default={a})", &doc));
    // An empty default's own field matters only when the default is used.
    assert!(truth_in("{b, default=value('a')} == 5", &doc));
}

#[test]
fn emptiness_tests_see_empty_fields() {
    let doc = Doc::new().field("a", "").field("b", "5");
    assert!(!truth_in("has_value({a})", &doc));
    assert!(truth_in("is_empty({a})", &doc));
    assert!(truth_in("has_value({b})", &doc));
    assert!(!truth_in("is_empty({b})", &doc));
    assert!(!truth_in("has_value({missing})", &doc));
    assert!(truth_in("is_empty({missing})", &doc));
    assert!(truth_in("has_value({a, default=0})", &doc));
    assert!(truth_in("is_empty({a}) or has_value({b})", &doc));
    assert!(!truth_in("has_value({a}) and has_value({b})", &doc));
    assert!(!truth_in("has_value(value({a}, default={a}))", &doc));
    assert!(truth_in("has_value(value({a}, default={b}))", &doc));
    assert!(!truth_in("has_value(None)", &doc));
}

#[test]
fn dates_and_timedeltas() {
    let doc = Doc::new()
        .field("due_date", "2024-03-16")
        .field("issue_date", "2024-01-31");
    assert!(truth_in("today() + timedelta(days=2) > {due_date}", &doc));
    assert_eq!(
        value("today()"),
        Value::Date(Date::from_ymd(2024, 3, 15).unwrap())
    );
    let date = |y, m, d| Value::Date(Date::from_ymd(y, m, d).unwrap());
    assert_eq!(
        value_in("{issue_date} + timedelta(months=1)", &doc),
        date(2024, 2, 29)
    );
    assert_eq!(
        value_in("{issue_date} + timedelta(years=1, months=1)", &doc),
        date(2025, 2, 28)
    );
    assert_eq!(
        value_in("{issue_date} - timedelta(months=2)", &doc),
        date(2023, 11, 30)
    );
    assert_eq!(
        value_in("timedelta(weeks=1) + {issue_date}", &doc),
        date(2024, 2, 7)
    );
    assert_eq!(
        value_in(
            "{issue_date} + (timedelta(days=1) + timedelta(days=1))",
            &doc
        ),
        date(2024, 2, 2)
    );
    assert_eq!(
        value_in("{issue_date} + -timedelta(days=31)", &doc),
        date(2023, 12, 31)
    );
    assert_eq!(value_in("{due_date} - {issue_date}", &doc), number("45"));
    assert!(truth_in("{due_date} - {issue_date} <= 120", &doc));
    assert!(
        error("timedelta(days=1)")
            .to_string()
            .contains("add it to a date")
    );
    assert!(
        error("timedelta(days=1.5)")
            .to_string()
            .contains("whole number")
    );
    assert!(
        error("'2024-01-01' * timedelta(days=1)")
            .to_string()
            .contains("cannot apply '*'")
    );
}

#[test]
fn text_functions() {
    let doc = Doc::new()
        .field("sender_name", "ROSSUM Ltd")
        .field("item_description", "Red car");
    assert!(truth_in("substring('car', {item_description})", &doc));
    assert!(!truth_in("substring('Car', {item_description})", &doc));
    assert!(truth_in("regexp('[Cc]ar$', {item_description})", &doc));
    assert!(!truth_in("regexp('rossum', {sender_name})", &doc));
    assert!(truth_in(
        "regexp('rossum', {sender_name}, ignore_case=True)",
        &doc
    ));
    assert!(!truth_in(
        "regexp('rossum', {sender_name}, ignore_case=False)",
        &doc
    ));
    assert!(truth_in(
        "regexp('ross' + 'um', {sender_name}, ignore_case=1 == 1)",
        &doc
    ));
    assert!(truth_in(r#"regexp("^\d{4}$", 2024)"#, &doc));
    // Only a non-empty match counts, as documented.
    assert!(!truth_in("regexp('x*', 'abc')", &doc));
    assert!(
        error("regexp('(?<=a)b', 'ab')")
            .to_string()
            .contains("regexp pattern is not supported")
    );
    assert!(
        Expression::parse("regexp('(', {x})")
            .unwrap_err()
            .to_string()
            .contains("not supported")
    );
    assert_eq!(
        value_in("similarity({item_description}, 'Red cat')", &doc),
        number("1")
    );
    assert!(truth_in("similarity({item_description},\"Car\") > 2", &doc));
    assert_eq!(value("similarity('kitten', 'sitting')"), number("3"));
    assert_eq!(value("similarity('žluť', 'zlut')"), number("2"));
    assert_eq!(value("similarity(12, '12')"), number("0"));
}

#[test]
fn placeholders_are_listed_in_text_order() {
    let rule = Expression::parse(
        "{a} + sum({b, default=0}) > 0 and {c, default=value('d')} and all({e} > {f}) and value({g}, default={h}) \
         and has_value({i}) and list_contains({j}, {k}) and filter({l}, 0)",
    )
    .unwrap();
    let seen: Vec<(String, bool, bool)> = rule
        .placeholders()
        .iter()
        .map(
            |Placeholder {
                 schema_id,
                 in_aggregate,
                 has_default,
             }| (schema_id.clone(), *in_aggregate, *has_default),
        )
        .collect();
    let expected = [
        ("a", false, false),
        ("b", true, true),
        ("c", false, true),
        ("d", false, false),
        ("e", true, false),
        ("f", true, false),
        ("g", false, true),
        ("h", false, false),
        ("i", false, false),
        ("j", true, false),
        ("k", true, false),
        ("l", true, false),
    ];
    let expected: Vec<(String, bool, bool)> = expected
        .iter()
        .map(|(s, a, d)| (s.to_string(), *a, *d))
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(rule.text().len(), rule.text().len());
}

#[test]
fn schema_ids_may_hold_dashes_dots_and_digits() {
    let doc = Doc::new().field("2nd-vendor.id", "7");
    assert!(truth_in("{ 2nd-vendor.id } == 7", &doc));
}

#[test]
fn syntax_errors_name_the_position() {
    let cases = [
        ("{a} ==", "unexpected end of the expression", 7),
        ("{a} = 1", "unexpected '='", 5),
        ("foo({a})", "unknown function 'foo'", 1),
        ("amount > 1", "unknown name 'amount'", 1),
        ("1 in [1]", "operator 'in' is not supported", 3),
        ("2 ** 3", "'**' is not supported", 3),
        ("'open", "string literal is not closed", 1),
        ("{a, default={b}}", "a field cannot be the default", 13),
        ("{a, fallback=1}", "expected default=", 5),
        ("{}", "expected a schema id", 2),
        ("(1 + 2", "expected ')'", 7),
        ("len()", "len() needs 1 argument", 1),
        ("len({a}, {b})", "at most 1 argument", 10),
        ("regexp('a', {b}, case=True)", "no argument 'case'", 18),
        ("timedelta(days=1, days=2)", "got 'days' twice", 19),
        ("value(1)", "value() reads a field", 7),
        ("", "the expression is empty", 1),
        ("1 $ 2", "unexpected character '$'", 3),
        ("{a} {b}", "after the expression", 5),
    ];
    for (text, message, position) in cases {
        let e = Expression::parse(text).unwrap_err();
        assert!(e.message().contains(message), "{text}: {e}");
        assert_eq!(e.position(), Some(position), "{text}: {e}");
        assert!(
            e.to_string()
                .ends_with(&format!("(at character {position})")),
            "{e}"
        );
    }
}

#[test]
fn an_expression_is_shareable_across_threads() {
    fn shareable<T: Clone + std::fmt::Debug + Send + Sync>() {}
    shareable::<Expression>();
    let rule = Expression::parse("{a} > 1").unwrap();
    let doc = Doc::new().field("a", "2");
    std::thread::scope(|s| {
        s.spawn(|| assert!(truth_in(rule.text(), &doc)));
    });
}

#[test]
fn values_looked_up_by_the_caller_evaluate_as_the_scope_would() {
    let doc = Doc::new()
        .field("total", "30")
        .column("item_total", &["10", "", "20"]);
    let rule =
        Expression::parse("sum({item_total}) == {total} and {missing, default=1} == 1").unwrap();
    let cells = ["10", "", "20"];
    let given = [
        Lookup::Many(cells[..].into()),
        Lookup::One("30"),
        Lookup::Missing,
    ];
    let today = Date::from_ymd(2024, 3, 15).unwrap();
    assert_eq!(
        rule.evaluate_with(&given, today).unwrap(),
        rule.evaluate(&doc).unwrap()
    );
    assert_eq!(
        rule.evaluate_with(&given, today).unwrap(),
        Evaluated::Value(Value::Bool(true))
    );
    // An empty cell given for a plain placeholder skips, as from a scope.
    let per_row = Expression::parse("{item_total} > 5").unwrap();
    assert_eq!(
        per_row.evaluate_with(&[Lookup::One("")], today).unwrap(),
        Evaluated::Skipped
    );
    let error = rule.evaluate_with(&given[..2], today).unwrap_err();
    assert!(error.message().contains("2 values given for 3"), "{error}");
}

/// Patterns read text as Python's `re` reads a `str`: `\w`, `\d`, `\s` and `\b` are Unicode,
/// `ignore_case` folds any script; Unicode property classes, which `re` does not have either,
/// are refused.
#[test]
fn regexp_reads_unicode_as_python_re() {
    let doc = Doc::new()
        .field("sender_name", "Müller Straße GmbH")
        .field("city", "ŁÓDŹ")
        .field("amount", "١٢٣")
        .field("total", "12\u{a0}500");
    assert!(truth_in(r"regexp('^\w+ \w+ GmbH$', {sender_name})", &doc));
    assert!(truth_in(r"regexp('\bStraße\b', {sender_name})", &doc));
    assert!(truth_in("regexp('łódź', {city}, ignore_case=True)", &doc));
    assert!(!truth_in("regexp('łódź', {city})", &doc));
    assert!(truth_in(r"regexp('^\d+$', {amount})", &doc));
    assert!(truth_in(r"regexp('^\d+\s\d+$', {total})", &doc));
    for refused in [r"'\p{Lu}'", r"'\PL'", r"'[\p{L}]'"] {
        let error = error_in(&format!("regexp({refused}, {{city}})"), &doc).to_string();
        assert!(
            error.contains("Unicode property classes"),
            "{refused}: {error}"
        );
    }
    // An escaped backslash before a `p` is a literal backslash and a literal p (the
    // expression's literal turns `\\` into `\`, so the pattern is `a\\p`).
    assert!(truth_in(r"regexp('a\\\\p', 'a\\p')", &doc));
}
