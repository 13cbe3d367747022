//! Keys that make the same vendor look the same however an invoice spells it.

use std::collections::BTreeSet;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Legal-form and filler words that say nothing about which vendor it is.
const NAME_STOPWORDS: &[&str] = &[
    "ab",
    "ag",
    "as",
    "bv",
    "co",
    "company",
    "corp",
    "corporation",
    "gmbh",
    "inc",
    "kg",
    "limited",
    "llc",
    "ltd",
    "nv",
    "oy",
    "plc",
    "sa",
    "sarl",
    "sas",
    "spa",
    "spol",
    "sro",
    "srl",
    "the",
    "und",
    "and",
];

/// Length of the token prefixes fuzzy candidates are found by: long enough to keep
/// candidate lists short, short enough that a typo late in a word still finds it.
pub const BLOCK_PREFIX_CHARS: usize = 4;

/// Lower case, accents removed, letters without a decomposition spelt out (ß -> ss).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'þ' | 'Þ' => out.push_str("th"),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The words of a name, folded, punctuation dropped ("B.V." is one word, "bv").
pub fn name_words(name: &str) -> Vec<String> {
    fold(name)
        .split(|c: char| {
            c.is_whitespace() || c == ',' || c == '/' || c == '-' || c == '&' || c == '+'
        })
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// The exact-name key: folded, only letters and digits ("Northwind Consulting B.V." ->
/// "northwindconsultingbv"), as Rossum's own samples compare names.
pub fn name_key(name: &str) -> Option<String> {
    let key: String = name_words(name).concat();
    (!key.is_empty()).then_some(key)
}

/// The words that identify a vendor: legal forms dropped, unless nothing else is left.
pub fn significant_words(name: &str) -> Vec<String> {
    let words = name_words(name);
    let significant: Vec<String> = words
        .iter()
        .filter(|w| !NAME_STOPWORDS.contains(&w.as_str()))
        .cloned()
        .collect();
    if significant.is_empty() {
        words
    } else {
        significant
    }
}

/// The keys fuzzy candidates are found by: the prefix of each significant word of 3+ chars.
pub fn fuzzy_block_keys(name: &str) -> Vec<String> {
    let mut keys: Vec<String> = significant_words(name)
        .iter()
        .filter(|w| w.chars().count() >= 3)
        .map(|w| w.chars().take(BLOCK_PREFIX_CHARS).collect())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Trigrams of the significant words, each word padded as PostgreSQL's pg_trgm does.
pub fn trigrams(name: &str) -> BTreeSet<[char; 3]> {
    let mut set = BTreeSet::new();
    for word in significant_words(name) {
        let padded: Vec<char> = "  "
            .chars()
            .chain(word.chars())
            .chain(" ".chars())
            .collect();
        for window in padded.windows(3) {
            set.insert([window[0], window[1], window[2]]);
        }
    }
    set
}

/// Trigram similarity in 0..=1 (shared trigrams over all trigrams, as pg_trgm).
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (trigrams(a), trigrams(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.intersection(&b).count();
    shared as f64 / (a.len() + b.len() - shared) as f64
}

/// A VAT id reduced to the part every spelling shares: upper case, no spaces, dots or
/// dashes, and the country prefix removed ("NL 8531.22.947.B01" and "853122947B01" meet).
pub fn vat_key(vat_id: &str) -> Option<String> {
    let compact: String = vat_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let bytes = compact.as_bytes();
    let number =
        if bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && bytes[1].is_ascii_alphabetic() {
            &compact[2..]
        } else {
            &compact[..]
        };
    // A VAT number has digits; anything shorter than 4 characters identifies nothing.
    (number.len() >= 4 && number.bytes().any(|b| b.is_ascii_digit())).then(|| number.to_owned())
}

/// The two-letter country prefix of a VAT id, if it has one (Greece's "EL" is given as "GR").
pub fn vat_country(vat_id: &str) -> Option<String> {
    let letters: String = vat_id.trim().chars().take(2).collect();
    if letters.len() == 2 && letters.chars().all(|c| c.is_ascii_alphabetic()) {
        let upper = letters.to_ascii_uppercase();
        Some(if upper == "EL" {
            "GR".to_owned()
        } else {
            upper
        })
    } else {
        None
    }
}

/// An IBAN in its electronic form (upper case, no spaces), if its ISO 13616 check digits
/// are right.
pub fn iban_key(iban: &str) -> Option<String> {
    let compact: String = iban
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let b = compact.as_bytes();
    if !(15..=34).contains(&b.len())
        || !b[..2].iter().all(u8::is_ascii_alphabetic)
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b.iter().all(u8::is_ascii_alphanumeric)
    {
        return None;
    }
    let rearranged = compact[4..].bytes().chain(compact[..4].bytes());
    let mut remainder: u32 = 0;
    for byte in rearranged {
        let value = if byte.is_ascii_digit() {
            (byte - b'0') as u32
        } else {
            (byte - b'A') as u32 + 10
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    (remainder == 1).then_some(compact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_accents_case_and_punctuation() {
        assert_eq!(
            name_key("Northwind Consulting B.V.").as_deref(),
            Some("northwindconsultingbv")
        );
        assert_eq!(
            name_key("ŽLUŤOUČKÝ KŮŇ s.r.o."),
            name_key("Zlutoucky kun, s. r. o.")
        );
        assert_eq!(
            name_key("Müller & Söhne GmbH"),
            name_key("MULLER & SOHNE GMBH")
        );
        assert_eq!(fold("Straße Ørsted Łódź"), "strasse orsted lodz");
        assert_eq!(name_key(" .,- "), None);
    }

    #[test]
    fn vat_ids_meet_with_and_without_country_prefix() {
        assert_eq!(
            vat_key("NL 8531.22.947.B01").as_deref(),
            Some("853122947B01")
        );
        assert_eq!(vat_key("853122947b01").as_deref(), Some("853122947B01"));
        assert_eq!(vat_key("CZ-25596641"), vat_key("25596641"));
        assert_eq!(vat_key("DE"), None);
        assert_eq!(vat_key("ABCDEF"), None, "no digits: not a VAT number");
        assert_eq!(vat_country("el 094259216").as_deref(), Some("GR"));
        assert_eq!(vat_country("25596641"), None);
    }

    #[test]
    fn ibans_are_compacted_and_checked() {
        assert_eq!(
            iban_key("nl91 abna 0417 1643 00").as_deref(),
            Some("NL91ABNA0417164300")
        );
        assert_eq!(
            iban_key("DE89 3704 0044 0532 0130 00").as_deref(),
            Some("DE89370400440532013000")
        );
        assert_eq!(
            iban_key("DE89 3704 0044 0532 0130 01"),
            None,
            "wrong check digits"
        );
        assert_eq!(iban_key("12345"), None);
    }

    #[test]
    fn similarity_ignores_legal_forms_and_tolerates_typos() {
        assert_eq!(
            name_similarity("Northwind Consulting B.V.", "NORTHWIND CONSULTING"),
            1.0
        );
        let typo = name_similarity("Northwind Consulting", "Nortwind Consultng");
        assert!(typo > 0.5 && typo < 1.0, "{typo}");
        assert!(name_similarity("Northwind Consulting", "Southbound Logistics") < 0.2);
        assert_eq!(
            fuzzy_block_keys("Northwind Consulting B.V."),
            vec!["cons", "nort"]
        );
    }
}
