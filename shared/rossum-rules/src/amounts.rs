use webhook_model::rossum::Node;

/// The amount a datapoint holds: its `normalized_value` when Rossum gave a number, else its
/// raw value read by [`parse_amount`]. `None` when empty or unreadable.
pub fn amount_of(datapoint: &Node) -> Option<f64> {
    let content = datapoint.content.as_ref()?;
    if let Some(n) = content.normalized_value.as_ref().and_then(|v| v.as_f64()) {
        return Some(n);
    }
    parse_amount(content.value.as_deref()?)
}

/// Reads an amount as invoices print it: "1 234,50", "1.234,50", "1,234.50", "€ 99",
/// "-12.00", "(12.00)". A lone separator followed by exactly three digits is a thousands
/// separator ("1,234" is 1234).
pub fn parse_amount(raw: &str) -> Option<f64> {
    let trimmed = raw.trim();
    let negative = trimmed.starts_with('-') || (trimmed.starts_with('(') && trimmed.ends_with(')'));
    let kept: String = trimmed
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .collect();
    if !kept.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let last_separator = kept.rfind(['.', ',']);
    let decimal_at = last_separator.filter(|&at| {
        let digits_after = kept.len() - at - 1;
        let separator = kept.as_bytes()[at];
        let other_separator_before = kept[..at]
            .bytes()
            .any(|b| (b == b'.' || b == b',') && b != separator);
        let repeated = kept[..at].bytes().any(|b| b == separator);
        !repeated && (digits_after != 3 || other_separator_before)
    });
    let mut number = String::with_capacity(kept.len() + 1);
    if negative {
        number.push('-');
    }
    for (i, c) in kept.char_indices() {
        match c {
            '0'..='9' => number.push(c),
            _ if Some(i) == decimal_at => number.push('.'),
            _ => {}
        }
    }
    // Hundreds of digits parse to infinity, which no sum check could compare.
    number.parse().ok().filter(|n: &f64| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::parse_amount;

    #[test]
    fn an_amount_too_large_for_a_float_is_unreadable() {
        assert_eq!(parse_amount(&"9".repeat(400)), None);
        assert_eq!(parse_amount(&format!("-{}", "9".repeat(400))), None);
        assert_eq!(parse_amount("12.50"), Some(12.5));
    }

    #[test]
    fn amounts_in_the_usual_spellings() {
        for (raw, expected) in [
            ("1 234,50", 1234.5),
            ("1.234,50", 1234.5),
            ("1,234.50", 1234.5),
            ("1,234", 1234.0),
            ("12,5", 12.5),
            ("€ 99", 99.0),
            ("-12.00", -12.0),
            ("(12.00)", -12.0),
            ("1.234.567", 1234567.0),
            ("3085.08 EUR", 3085.08),
        ] {
            assert_eq!(parse_amount(raw), Some(expected), "{raw}");
        }
        assert_eq!(parse_amount("n/a"), None);
        assert_eq!(parse_amount(""), None);
    }
}
