//! Values, calendar dates and the automatic cast of text.

use std::fmt;

use rust_decimal::Decimal;

/// A calendar date between 0001-01-01 and 9999-12-31.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

/// The first and last year a [`Date`] may have.
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

impl Date {
    /// The date, when it exists and its year is 1 to 9999.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Date> {
        if !YEARS.contains(&year) {
            return None;
        }
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day)
            .ok()
            .map(Date)
    }

    /// Exactly `YYYY-MM-DD` (the automatic cast and date literals).
    pub fn parse_iso(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            bytes[range].iter().try_fold(0u32, |acc, &b| {
                b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
            })
        };
        let year = digits(0..4)?;
        let month = digits(5..7)?;
        let day = digits(8..10)?;
        Date::from_ymd(year as i32, month as u8, day as u8)
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    pub fn month(self) -> u8 {
        self.0.month() as u8
    }

    pub fn day(self) -> u8 {
        self.0.day()
    }

    /// Days from `other` to `self`.
    pub fn days_since(self, other: Date) -> i64 {
        (self.0 - other.0).whole_days()
    }

    /// Shifted by whole months (the day clamped to the month's last day), then by days; `None`
    /// outside 0001-01-01..=9999-12-31.
    pub(crate) fn shifted(self, months: i64, days: i64) -> Option<Date> {
        let month_index = i64::from(self.year()) * 12 + i64::from(self.month()) - 1 + months;
        let year = i32::try_from(month_index.div_euclid(12)).ok()?;
        let month = (month_index.rem_euclid(12) + 1) as u8;
        if !YEARS.contains(&year) {
            return None;
        }
        let day = self.day().min(days_in_month(year, month));
        let moved = Date::from_ymd(year, month, day)?;
        let shifted = moved.0.checked_add(time::Duration::days(days))?;
        YEARS.contains(&shifted.year()).then_some(Date(shifted))
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

/// What an expression evaluates to.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Number(Decimal),
    Date(Date),
    /// Text as it was read; it is cast (number, then date) where an operator or an aggregate
    /// uses it.
    Text(String),
    List(Vec<Value>),
}

impl Value {
    /// Python's truth: `None`, `False`, zero, `""` and `[]` are false; everything else
    /// (every date, the text `"0"`) is true.
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Number(n) => !n.is_zero(),
            Value::Date(_) => true,
            Value::Text(t) => !t.is_empty(),
            Value::List(items) => !items.is_empty(),
        }
    }
}

/// Python's `str()` of the value (`True`, `None`, `[1, 'a']`), as messages would show it.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("None"),
            Value::Bool(true) => f.write_str("True"),
            Value::Bool(false) => f.write_str("False"),
            Value::Number(n) => write!(f, "{n}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::Text(t) => f.write_str(t),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match item {
                        Value::Text(t) => write!(f, "'{t}'")?,
                        Value::Date(d) => write!(f, "'{d}'")?,
                        other => write!(f, "{other}")?,
                    }
                }
                f.write_str("]")
            }
        }
    }
}

/// How a text reads under the automatic cast.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Cast {
    Number(Decimal),
    Date(Date),
    /// Shaped like a number but beyond a decimal's 28 digits.
    NumberOutOfRange,
    Text,
}

/// The automatic cast: a number (Python's `float()` then `int()` forms), then a `YYYY-MM-DD`
/// date, else text.
pub(crate) fn auto_cast(text: &str) -> Cast {
    match parse_number(text) {
        Some(Some(n)) => Cast::Number(n),
        Some(None) => Cast::NumberOutOfRange,
        None => match Date::parse_iso(text.trim()) {
            Some(d) => Cast::Date(d),
            None => Cast::Text,
        },
    }
}

/// `None` when the text is not shaped like a number; `Some(None)` when it is but does not fit a
/// decimal. Accepts what Python's `float()` accepts for finite decimals: surrounding
/// whitespace, a sign, `5.`, `.5`, an exponent (`1.5e3`).
pub(crate) fn parse_number(text: &str) -> Option<Option<Decimal>> {
    let text = text.trim();
    let bytes = text.as_bytes();
    // One pass over the bytes: every cell a rule compares is read this way.
    let digits_from = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let (negative, whole_start) = match bytes.first()? {
        b'-' => (true, 1),
        b'+' => (false, 1),
        _ => (false, 0),
    };
    let whole_end = digits_from(whole_start);
    let whole = &text[whole_start..whole_end];
    let (fraction, mut at) = match bytes.get(whole_end) {
        Some(b'.') => {
            let end = digits_from(whole_end + 1);
            (&text[whole_end + 1..end], end)
        }
        _ => ("", whole_end),
    };
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let exponent: i64 = match bytes.get(at) {
        None => 0,
        Some(b'e' | b'E') => {
            at += 1;
            let sign = usize::from(matches!(bytes.get(at), Some(b'+' | b'-')));
            let end = digits_from(at + sign);
            if end == at + sign || end != bytes.len() {
                return None;
            }
            match text[at..].parse::<i64>() {
                Ok(v) if v.abs() <= 64 => v,
                _ => return Some(None),
            }
        }
        Some(_) => return None,
    };
    // Leading zeros would count against the 28 digits a decimal holds.
    let whole = whole.trim_start_matches('0');
    let Some(mut number) = digits_to_decimal(negative, whole, fraction) else {
        return Some(None);
    };
    let ten = Decimal::TEN;
    for _ in 0..exponent.unsigned_abs() {
        number = if exponent > 0 {
            match number.checked_mul(ten) {
                Some(n) => n,
                None => return Some(None),
            }
        } else {
            match number.checked_div(ten) {
                Some(n) => n,
                None => return Some(None),
            }
        };
    }
    Some(Some(number))
}

/// `[-]whole.fraction` (ASCII digits, `whole` without leading zeros) as a decimal; `None`
/// when it does not fit. Up to 28 digits, the usual case, without allocating: a rule reads
/// every cell it compares this way.
fn digits_to_decimal(negative: bool, whole: &str, fraction: &str) -> Option<Decimal> {
    if whole.len() + fraction.len() <= 28 {
        let mantissa = whole
            .bytes()
            .chain(fraction.bytes())
            .fold(0i128, |m, digit| m * 10 + i128::from(digit - b'0'));
        let mut number = Decimal::try_from_i128_with_scale(mantissa, fraction.len() as u32).ok()?;
        number.set_sign_negative(negative && mantissa != 0);
        return Some(number);
    }
    canonical_to_decimal(negative, whole, fraction)
}

/// The same through `Decimal`'s own parser, which rounds what is beyond 28 digits.
fn canonical_to_decimal(negative: bool, whole: &str, fraction: &str) -> Option<Decimal> {
    format!(
        "{}{}{}{fraction}",
        if negative { "-" } else { "" },
        if whole.is_empty() { "0" } else { whole },
        if fraction.is_empty() { "" } else { "." },
    )
    .parse()
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reading as first written (split at `e`, then at `.`), kept as the reference
    /// for the one-pass [`parse_number`].
    fn reference_parse_number(text: &str) -> Option<Option<Decimal>> {
        let text = text.trim();
        let (negative, unsigned) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
            None => (unsigned, None),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let exponent: i64 = match exponent {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !all_digits(digits) {
                    return None;
                }
                match e.parse::<i64>() {
                    Ok(v) if v.abs() <= 64 => v,
                    _ => return Some(None),
                }
            }
        };
        let Some(mut number) =
            canonical_to_decimal(negative, whole.trim_start_matches('0'), fraction)
        else {
            return Some(None);
        };
        for _ in 0..exponent.unsigned_abs() {
            number = match if exponent > 0 {
                number.checked_mul(Decimal::TEN)
            } else {
                number.checked_div(Decimal::TEN)
            } {
                Some(n) => n,
                None => return Some(None),
            };
        }
        Some(Some(number))
    }

    proptest::proptest! {
        #[test]
        fn one_pass_reading_equals_the_reference(text in "[ +-]{0,2}[0-9]{0,20}[.]?[0-9]{0,12}([eE][+-]?[0-9]{0,3})?[ .e0-9]{0,2}") {
            let read = parse_number(&text).map(|n| n.map(|d| (d, d.to_string())));
            let reference = reference_parse_number(&text).map(|n| n.map(|d| (d, d.to_string())));
            proptest::prop_assert_eq!(read, reference);
        }
    }

    #[test]
    fn digits_read_without_allocating_equal_decimals_own_parse() {
        for (negative, whole, fraction) in [
            (false, "", "5"),
            (true, "", ""),
            (true, "0", ""),
            (false, "5", ""),
            (false, "18492", "48"),
            (true, "7", "50"),
            (false, "", "0000000000000000000000000001"),
            (false, "9999999999999999999999999999", ""),
            (true, "12345678901234", "56789012345678"),
            (false, "1", "000000000000000000000000000"),
            (false, "123456789012345678", ""),
            (true, "1234567890123456789", ""),
            (false, "12345678901234567890123456789", "5"),
        ] {
            let fast = digits_to_decimal(negative, whole, fraction);
            let parsed = canonical_to_decimal(negative, whole, fraction);
            assert_eq!(fast, parsed, "{negative} {whole}.{fraction}");
            assert_eq!(
                fast.map(|d| (d.to_string(), d.is_sign_negative(), d.scale())),
                parsed.map(|d| (d.to_string(), d.is_sign_negative(), d.scale())),
                "{negative} {whole}.{fraction}"
            );
        }
    }

    #[test]
    fn dates_read_only_as_four_two_two_digits_within_the_calendar() {
        assert_eq!(Date::parse_iso("2024-02-29"), Date::from_ymd(2024, 2, 29));
        for bad in [
            "2023-02-29",
            "0000-01-01",
            "2024-1-01",
            "2024-13-01",
            "24-01-01",
            "2024/01/01",
        ] {
            assert_eq!(Date::parse_iso(bad), None, "{bad}");
        }
        assert_eq!(
            Date::parse_iso("9999-12-31").unwrap().to_string(),
            "9999-12-31"
        );
    }

    #[test]
    fn month_shifts_clamp_to_the_last_day_of_the_month() {
        let jan31 = Date::from_ymd(2024, 1, 31).unwrap();
        assert_eq!(jan31.shifted(1, 0), Date::from_ymd(2024, 2, 29));
        assert_eq!(jan31.shifted(13, 0), Date::from_ymd(2025, 2, 28));
        assert_eq!(jan31.shifted(-2, 0), Date::from_ymd(2023, 11, 30));
        assert_eq!(jan31.shifted(0, 1), Date::from_ymd(2024, 2, 1));
        assert_eq!(Date::from_ymd(9999, 12, 31).unwrap().shifted(0, 1), None);
        assert_eq!(Date::from_ymd(1, 1, 1).unwrap().shifted(-1, 0), None);
    }

    #[test]
    fn numbers_read_like_python_floats_but_exactly() {
        let n = |s: &str| parse_number(s).flatten().map(|d| d.to_string());
        assert_eq!(n("1000.50").as_deref(), Some("1000.50"));
        assert_eq!(n(" -5 ").as_deref(), Some("-5"));
        assert_eq!(n(".5").as_deref(), Some("0.5"));
        assert_eq!(n("5.").as_deref(), Some("5"));
        assert_eq!(n("1.5e3").as_deref(), Some("1500.0"));
        assert_eq!(n("000123").as_deref(), Some("123"));
        assert_eq!(n("+.5").as_deref(), Some("0.5"));
        assert_eq!(n("1E-2").as_deref(), Some("0.01"));
        assert_eq!(n("1e+2").as_deref(), Some("100"));
        for not_number in [
            "",
            "-",
            ".",
            "1,000.00",
            "21%",
            "1e",
            "inf",
            "nan",
            "1_000",
            "2023-12-24",
            "0x10",
            "1.2.3",
            "1e5e3",
            "e5",
            "+",
            "1e+",
            "--1",
            "1 2",
            "1.e",
        ] {
            assert_eq!(parse_number(not_number), None, "{not_number}");
        }
        assert_eq!(parse_number("1e65"), Some(None));
        assert_eq!(parse_number("99999999999999999999999999999999"), Some(None));
    }

    #[test]
    fn the_automatic_cast_tries_number_then_date_then_text() {
        assert!(matches!(auto_cast("12"), Cast::Number(_)));
        assert_eq!(
            auto_cast("2024-03-15"),
            Cast::Date(Date::from_ymd(2024, 3, 15).unwrap())
        );
        assert_eq!(auto_cast("PO-1"), Cast::Text);
    }

    #[test]
    fn truthiness_and_display_follow_python() {
        assert!(!Value::None.truthy());
        assert!(!Value::Number(Decimal::ZERO).truthy());
        assert!(Value::Text("0".into()).truthy());
        assert!(!Value::List(vec![]).truthy());
        let list = Value::List(vec![
            Value::Number(Decimal::ONE),
            Value::Text("a".into()),
            Value::None,
        ]);
        assert_eq!(list.to_string(), "[1, 'a', None]");
        assert_eq!(Value::Bool(true).to_string(), "True");
    }
}
