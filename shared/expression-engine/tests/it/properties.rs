//! Properties of casting and decimal arithmetic.

use expression_engine::{Decimal, Evaluated, Expression, Value};
use proptest::prelude::*;

use crate::*;

/// The rule holds on the document (a `prop_assert!` would read the rule's braces as a format).
fn holds(rule: &str, doc: &Doc) -> Result<(), TestCaseError> {
    if truth_in(rule, doc) {
        Ok(())
    } else {
        Err(TestCaseError::fail(format!("{rule} does not hold")))
    }
}

fn decimal() -> impl Strategy<Value = Decimal> {
    (any::<i64>(), 0u32..=10).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale))
}

fn money() -> impl Strategy<Value = Decimal> {
    (-1_000_000_000_i64..1_000_000_000, 0u32..=2)
        .prop_map(|(cents, scale)| Decimal::new(cents, scale))
}

proptest! {
    /// A number's text casts back to the same number, in a field or as a literal.
    #[test]
    fn a_numbers_text_casts_back_to_the_number(n in decimal()) {
        let doc = Doc::new().field("x", &n.to_string());
        prop_assert_eq!(value_in("float({x})", &doc), Value::Number(n));
        let literal = format!("{} == {{x}}", n);
        holds(&literal, &doc)?;
        holds(&format!("str({{x}}) == '{n}'"), &doc)?;
        prop_assert_eq!(value_in("int({x})", &doc), Value::Number(n.trunc()));
    }

    /// A date's text casts back to the same date, and moves by days exactly.
    #[test]
    fn a_dates_text_casts_back_to_the_date(days in 0i64..3_000_000) {
        let base = expression_engine::Date::from_ymd(1, 1, 1).unwrap();
        let rule = Expression::parse(&format!("date('0001-01-01') + timedelta(days={days})")).unwrap();
        let Ok(Evaluated::Value(Value::Date(date))) = rule.evaluate(&Doc::new()) else { panic!() };
        prop_assert_eq!(date.days_since(base), days);
        let doc = Doc::new().field("d", &date.to_string());
        prop_assert_eq!(value_in("date({d})", &doc), Value::Date(date));
        holds(&format!("{{d}} - '0001-01-01' == {days}"), &doc)?;
    }

    /// Money adds, subtracts and multiplies exactly, as decimals.
    #[test]
    fn decimal_arithmetic_is_exact(a in money(), b in money()) {
        let doc = Doc::new().field("a", &a.to_string()).field("b", &b.to_string());
        prop_assert_eq!(value_in("{a} + {b}", &doc), Value::Number(a + b));
        prop_assert_eq!(value_in("{a} - {b}", &doc), Value::Number(a - b));
        prop_assert_eq!(value_in("{a} * {b}", &doc), Value::Number(a * b));
        holds("{a} + {b} - {b} == {a}", &doc)?;
        holds("({a} + {b}) * 2 == {a} * 2 + {b} * 2", &doc)?;
        holds("sum([{a}, {b}]) == {a} + {b}", &doc)?;
        if !b.is_zero() {
            // Python's floor division and modulo: a == (a // b) * b + a % b, with |a % b| < |b|.
            holds("({a} // {b}) * {b} + {a} % {b} == {a}", &doc)?;
            let Value::Number(remainder) = value_in("{a} % {b}", &doc) else { panic!() };
            prop_assert!(remainder.abs() < b.abs());
            prop_assert!(remainder.is_zero() || remainder.is_sign_negative() == b.is_sign_negative());
        }
    }

    /// Sums of columns of cents are exact whatever their order.
    #[test]
    fn column_sums_are_exact(cells in proptest::collection::vec(money(), 0..40)) {
        let texts: Vec<String> = cells.iter().map(Decimal::to_string).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let doc = Doc::new().column("c", &refs);
        let expected = if cells.is_empty() { Value::None } else { Value::Number(cells.iter().sum()) };
        prop_assert_eq!(value_in("sum({c})", &doc), expected);
    }

    /// Any text at all parses or fails with a message, and never panics.
    #[test]
    fn any_text_parses_or_fails_cleanly(text in "\\PC{0,60}") {
        if let Ok(rule) = Expression::parse(&text) {
            let _ = rule.evaluate(&Doc::new().field("a", "1"));
        }
    }
}
