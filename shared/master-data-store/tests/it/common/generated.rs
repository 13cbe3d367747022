//! A master file of realistic shape, generated: vendor `i` is the same on every run. Company
//! names from brands, surnames, descriptors and industries with legal forms; VAT ids of
//! several countries (some missing, every hundredth shared by a branch); IBANs with correct
//! check digits (a fifth missing).

use vendor_matching::Vendor;
use vendor_matching::normalize::{BLOCK_PREFIX_CHARS, significant_words};

use super::vendor;

/// Vendors in a generated master file unless `VENDOR_IMPORT_TEST_COUNT` says otherwise.
pub const DEFAULT_COUNT: usize = 100_000;

/// `VENDOR_IMPORT_TEST_COUNT`, or [`DEFAULT_COUNT`].
pub fn vendor_count() -> usize {
    match std::env::var("VENDOR_IMPORT_TEST_COUNT") {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("VENDOR_IMPORT_TEST_COUNT={value:?} is not a number")),
        Err(_) => DEFAULT_COUNT,
    }
}

const SURNAMES: &[&str] = &[
    "Müller",
    "Schröder",
    "Dvořák",
    "Novák",
    "Kowalski",
    "Jansen",
    "de Vries",
    "van Dijk",
    "Bakker",
    "Visser",
    "Nielsen",
    "Ødegård",
    "Lindqvist",
    "Fernández",
    "García",
    "Rossi",
    "Bianchi",
    "Dubois",
    "Lefèvre",
    "Moreau",
    "Schmidt",
    "Fischer",
    "Weber",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Svoboda",
    "Černý",
    "Procházka",
    "Horváth",
    "Nagy",
    "Kovács",
    "Popescu",
    "Ionescu",
    "Petrov",
    "Ivanova",
    "Murphy",
    "O'Brien",
    "Kelly",
    "Walsh",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Taylor",
    "Andersson",
    "Johansson",
    "Karlsson",
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Peeters",
    "Janssens",
    "Maes",
    "Wouters",
    "Lambert",
    "Nowak",
    "Wiśniewski",
    "Wójcik",
    "Kamiński",
];

const DESCRIPTORS: &[&str] = &[
    "Nordic",
    "Alpine",
    "Global",
    "United",
    "Central",
    "Atlantic",
    "Baltic",
    "Green",
    "Blue",
    "Smart",
    "Prime",
    "Royal",
    "Eastern",
    "Western",
    "Northern",
    "Southern",
    "Modern",
    "Classic",
    "Digital",
    "Precision",
    "Advanced",
    "Integrated",
    "Premier",
    "Pacific",
    "Continental",
    "Metro",
    "Urban",
    "Rural",
    "Coastal",
    "Highland",
    "Golden",
    "Silver",
    "Crystal",
    "Summit",
    "Pioneer",
    "Heritage",
    "Horizon",
    "Vertex",
    "Apex",
    "Polar",
];

const INDUSTRIES: &[&str] = &[
    "Logistics",
    "Consulting",
    "Engineering",
    "Software",
    "Trading",
    "Foods",
    "Textiles",
    "Construction",
    "Electronics",
    "Pharma",
    "Chemicals",
    "Packaging",
    "Printing",
    "Furniture",
    "Plastics",
    "Metals",
    "Energy",
    "Solar",
    "Transport",
    "Shipping",
    "Catering",
    "Cleaning",
    "Security",
    "Staffing",
    "Marketing",
    "Media",
    "Design",
    "Architects",
    "Dental",
    "Medical",
    "Laboratories",
    "Instruments",
    "Tools",
    "Machinery",
    "Automotive",
    "Aviation",
    "Marine",
    "Agri",
    "Dairy",
    "Bakery",
];

const LEGAL_FORMS: &[&str] = &[
    "B.V.",
    "GmbH",
    "s.r.o.",
    "Ltd",
    "AG",
    "S.A.",
    "Oy",
    "AB",
    "",
    "Inc.",
    "N.V.",
    "Sp. z o.o.",
];

const CITIES: &[(&str, &str)] = &[
    ("Amsterdam", "NL"),
    ("Rotterdam", "NL"),
    ("Berlin", "DE"),
    ("München", "DE"),
    ("Praha", "CZ"),
    ("Brno", "CZ"),
];

// Invented brand words from syllables: many distinct words, as real vendor names have.
const ONSETS: &[&str] = &[
    "va", "ko", "ze", "mi", "tor", "bra", "lu", "fen", "gar", "hel", "ix", "jor", "kal", "lem",
    "mar", "nor", "ost", "pra", "quin", "ros", "sel", "tam", "ul", "vel", "wes", "xan", "yor",
    "zan", "dra", "cle",
];
const MIDDLES: &[&str] = &["n", "r", "l", "ve", "st", "x", "m", "d", "k", "th"];
const ENDINGS: &[&str] = &[
    "ex", "ia", "on", "ar", "is", "co", "tek", "um", "ora", "ent",
];

/// A deterministic mix of the vendor's number (splitmix64), to pick words.
fn mix(i: usize, salt: u64) -> usize {
    let mut z = (i as u64).wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as usize
}

fn pick<'a>(words: &[&'a str], i: usize, salt: u64) -> &'a str {
    words[mix(i, salt) % words.len()]
}

fn brand(i: usize) -> String {
    let mut word = format!(
        "{}{}{}",
        pick(ONSETS, i, 1),
        pick(MIDDLES, i, 2),
        pick(ENDINGS, i, 3)
    );
    word[..1].make_ascii_uppercase();
    word
}

fn company_name(i: usize) -> String {
    let legal = pick(LEGAL_FORMS, i, 4);
    let name = match mix(i, 5) % 20 {
        0..=7 => format!("{} {}", brand(i), pick(INDUSTRIES, i, 6)),
        8..=11 => format!("{} {}", pick(SURNAMES, i, 7), pick(INDUSTRIES, i, 6)),
        12..=14 => format!("{} {}", pick(DESCRIPTORS, i, 8), brand(i)),
        15..=16 => format!("{} & {}", pick(SURNAMES, i, 7), pick(SURNAMES, i, 9)),
        _ => format!(
            "{} {} {}",
            brand(i),
            pick(DESCRIPTORS, i, 8),
            pick(INDUSTRIES, i, 6)
        ),
    };
    format!("{name} {legal}").trim().to_owned()
}

/// A Dutch IBAN with correct check digits (ISO 13616: mod 97 of the rearranged number).
pub fn iban(account: usize) -> String {
    let bban = format!("ABNA{account:010}");
    let numeric: String = format!("{bban}NL00")
        .chars()
        .map(|c| c.to_digit(36).unwrap().to_string())
        .collect();
    let remainder = numeric
        .bytes()
        .fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
    format!("NL{:02}{bban}", 98 - remainder)
}

pub fn generated_vendor(i: usize) -> Vendor {
    let (city, country) = CITIES[mix(i, 10) % CITIES.len()];
    // Every hundredth vendor is a branch sharing the VAT id of the one before it.
    let vat_of = if i % 100 == 99 { i - 1 } else { i };
    let vat = match mix(vat_of, 11) % 10 {
        0..=3 => format!("NL{:09}B01", 100_000_000 + vat_of),
        4..=6 => format!("DE{:09}", 200_000_000 + vat_of),
        7..=8 => format!("CZ{:08}", 10_000_000 + vat_of),
        _ => String::new(),
    };
    let iban = if mix(i, 12).is_multiple_of(5) {
        String::new()
    } else {
        iban(i)
    };
    vendor(&[
        ("vendor_id", &format!("G-{i:06}")),
        ("name", &company_name(i)),
        ("vat_id", &vat),
        ("iban", &iban),
        (
            "street",
            &format!("{} {}", pick(SURNAMES, i, 13), 1 + i % 200),
        ),
        ("city", city),
        ("postal_code", &format!("{:05}", mix(i, 14) % 100_000)),
        ("country", country),
        ("erp_code", &format!("ERP{i:06}")),
        ("payment_terms", ["14", "30", "60"][i % 3]),
    ])
}

/// The name with the last letter of its longest significant word dropped: past the block
/// prefix, where a typo is the kind fuzzy matching is for.
pub fn typo(name: &str) -> String {
    let mut words = significant_words(name);
    let longest = (0..words.len())
        .max_by_key(|&i| words[i].chars().count())
        .unwrap();
    assert!(
        words[longest].chars().count() > BLOCK_PREFIX_CHARS,
        "{name}"
    );
    words[longest].pop();
    words.join(" ")
}
