//! Hostile rules and documents: each answered quickly, by an error naming the bound where one
//! is reached, never a panic or a hang.

use std::time::{Duration, Instant};

use expression_engine::{Expression, limits};

use crate::*;

/// Runs `f` and checks it took at most a few seconds of an unoptimised build (a release build
/// is over ten times faster).
fn quick<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
    out
}

fn parse_limit(text: &str) -> &'static str {
    let e = quick(|| Expression::parse(text)).unwrap_err();
    e.exceeded_limit()
        .unwrap_or_else(|| panic!("no limit named: {e}"))
}

#[test]
fn deep_nesting_is_refused() {
    for text in [
        format!("{}1{}", "(".repeat(3000), ")".repeat(3000)),
        format!("{}1{}", "len([".repeat(40), "])".repeat(40)),
        format!("{}1", "not ".repeat(2000)),
        format!("{}1", "-".repeat(2000)),
        format!("1{}", " + 1".repeat(100)),
        format!("{}1", "[".repeat(3000)),
        format!(
            "{}{{a, default=1}}{}",
            "{a, default=value(".repeat(100),
            ")}".repeat(100)
        ),
    ] {
        assert_eq!(
            parse_limit(&text),
            limits::DEPTH_NAME,
            "{}",
            &text[..40.min(text.len())]
        );
    }
    // Up to the bound is fine.
    let nested = format!(
        "{}1{}",
        "(".repeat(limits::DEPTH - 2),
        ")".repeat(limits::DEPTH - 2)
    );
    assert_eq!(value(&nested), number("1"));
}

#[test]
fn huge_texts_and_literals_are_refused() {
    assert_eq!(parse_limit(&"1 + ".repeat(3000)), limits::TEXT_BYTES_NAME);
    assert_eq!(
        parse_limit(&format!("'{}'", "a".repeat(5000))),
        limits::STRING_LITERAL_BYTES_NAME
    );
    assert_eq!(
        parse_limit(&format!("[{}]", "1,".repeat(300))),
        limits::LIST_LITERAL_ITEMS_NAME
    );
    assert_eq!(parse_limit(&"9".repeat(40)), limits::NUMBER_DIGITS_NAME);
    assert_eq!(parse_limit("1e70"), limits::NUMBER_DIGITS_NAME);
    let e = Expression::parse(&"1 + ".repeat(3000)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expression text length exceeds its limit of 8192 bytes"
    );
}

#[test]
fn arithmetic_failures_are_errors() {
    for (text, message) in [
        ("1 / 0", "division by zero"),
        ("1 // 0.0", "division by zero"),
        ("5 % 0", "division by zero"),
        ("{zero} / {zero}", "division by zero"),
        (
            "9999999999999999999999999999 * 7 + 9999999999999999999999999999 * 7",
            "arithmetic overflow",
        ),
        ("9999999999999999999999999999 * 9", "arithmetic overflow"),
        (
            "-9999999999999999999999999999 * 7 - 9999999999999999999999999999 * 7",
            "arithmetic overflow",
        ),
        (
            "sum([9999999999999999999999999999 * 7, 9999999999999999999999999999 * 7])",
            "arithmetic overflow",
        ),
    ] {
        let e = error_in(text, &Doc::new().field("zero", "0"));
        assert!(e.message().contains(message), "{text}: {e}");
        assert!(e.position().is_some(), "{text}");
    }
    let e = error_in("{big} > 1", &Doc::new().field("big", &"9".repeat(40)));
    assert_eq!(e.exceeded_limit(), Some(limits::NUMBER_DIGITS_NAME));
}

#[test]
fn far_dates_are_errors() {
    for text in [
        "date('9999-12-31') + timedelta(days=1)",
        "date('0001-01-01') - timedelta(days=1)",
        "date('2024-01-01') + timedelta(years=8000)",
        "today() - timedelta(months=30000)",
    ] {
        let e = quick(|| error(text));
        assert!(
            e.message().contains("outside 0001-01-01..9999-12-31"),
            "{text}: {e}"
        );
    }
    for text in [
        "today() + timedelta(days=99999999999)",
        "today() + timedelta(years=99999999999999)",
        "today() + timedelta(days=999999999999999999999)",
    ] {
        assert_eq!(
            quick(|| error(text)).exceeded_limit(),
            Some(limits::TIMEDELTA_DAYS_NAME),
            "{text}"
        );
    }
    assert!(
        error("date('10000-01-01')")
            .message()
            .contains("is not a date")
    );
}

#[test]
fn a_catastrophic_regex_runs_in_linear_time() {
    let doc = Doc::new().field("text", &format!("{}!", "a".repeat(100_000)));
    assert!(!quick(|| truth_in("regexp('(a+)+$', {text})", &doc)));
    assert!(quick(|| truth_in("regexp('(a|aa)+!', {text})", &doc)));
    assert!(!quick(|| truth_in("regexp('(a*)*b', {text})", &doc)));
}

#[test]
fn oversized_regexes_are_refused() {
    let e = Expression::parse("regexp('(\\\\w{100}){100}', {x})").unwrap_err();
    assert_eq!(e.exceeded_limit(), Some(limits::REGEX_BYTES_NAME), "{e}");
    // The same built at evaluation time.
    let doc = Doc::new()
        .field("pattern", "(\\w{100}){100}")
        .field("x", "a");
    assert_eq!(
        error_in("regexp({pattern}, {x})", &doc).exceeded_limit(),
        Some(limits::REGEX_BYTES_NAME)
    );
}

#[test]
fn the_step_budget_stops_runaway_aggregates() {
    let cells: Vec<String> = (0..10_000).map(|i| (i % 97).to_string()).collect();
    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
    let doc = Doc::new().column("c", &cells);
    // One pass over 10 000 rows is well within the budget.
    assert!(quick(|| truth_in("len(filter({c}, 0)) < 10000", &doc)));
    assert!(quick(|| truth_in("all({c} >= 0)", &doc)));
    // A quadratic rule is stopped.
    let e = quick(|| error_in("all({c} <= max({c} * 1))", &doc));
    assert_eq!(e.exceeded_limit(), Some(limits::STEPS_NAME), "{e}");
    let chain = format!("len({}{{c}}{})", "filter(".repeat(30), ", 1)".repeat(30));
    let e = quick(|| error_in(&format!("{chain} + {chain} + {chain} + {chain}"), &doc));
    assert_eq!(e.exceeded_limit(), Some(limits::STEPS_NAME), "{e}");
}

#[test]
fn built_texts_are_bounded() {
    let big = "x".repeat(40_000);
    let doc = Doc::new().field("big", &big);
    assert_eq!(
        error_in("{big} + {big}", &doc).exceeded_limit(),
        Some(limits::RESULT_TEXT_BYTES_NAME)
    );
    let cells: Vec<&str> = vec![big.as_str(); 3];
    let doc = Doc::new().column("c", &cells);
    assert_eq!(
        error_in("str(filter({c}))", &doc).exceeded_limit(),
        Some(limits::RESULT_TEXT_BYTES_NAME)
    );
}

#[test]
fn similarity_of_long_texts_is_refused() {
    let long = "abc".repeat(2_000);
    let doc = Doc::new().field("a", &long).field("b", &long);
    let e = quick(|| error_in("similarity({a}, {b}) < 3", &doc));
    assert_eq!(e.exceeded_limit(), Some(limits::SIMILARITY_CELLS_NAME));
    let doc = Doc::new()
        .field("a", &"abc".repeat(300))
        .field("b", &"abd".repeat(300));
    assert_eq!(
        quick(|| value_in("similarity({a}, {b})", &doc)),
        number("300")
    );
}

#[test]
fn odd_characters_and_unicode_are_handled() {
    for text in [
        "{",
        "}",
        "{a",
        "{a,",
        "{a, default",
        "{a, default=",
        "[",
        "(",
        ")",
        "'\\",
        "\"\\\"",
        "é",
        "1..2",
        "1.2.3",
        "{a}}",
        "len(",
        "len(,)",
        "f(x=1)",
        "value(",
        "timedelta(days=)",
    ] {
        let e = Expression::parse(text).unwrap_err();
        assert!(!e.message().is_empty());
    }
    assert_eq!(
        value("'žluťoučký kůň' + '🐎'"),
        expression_engine::Value::Text("žluťoučký kůň🐎".into())
    );
    let e = Expression::parse("'kůň' ==").unwrap_err();
    assert_eq!(e.position(), Some(9));
}
