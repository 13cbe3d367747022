//! A master file of realistic size (100 000 vendors unless `VENDOR_IMPORT_TEST_COUNT` says
//! otherwise): import, lookups of every kind, re-import. Timings are printed, not asserted.

mod common;

use std::time::{Duration, Instant};

use common::{client, drop_table, expected_items, new_table, vendor};
use dynamodb_store::{DynamoVendorStore, ImportSummary, import_vendors};
use std::collections::HashMap;

use dynamodb_store::DEFAULT_BLOCK_ITEM_LIMIT;
use vendor_matching::normalize::{
    BLOCK_PREFIX_CHARS, fuzzy_block_keys, iban_key, significant_words,
};
use vendor_matching::{Lookup, Vendor, VendorStore};

const DEFAULT_COUNT: usize = 100_000;
const SAMPLES: usize = 50;

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
fn iban(account: usize) -> String {
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

fn generated_vendor(i: usize) -> Vendor {
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
fn typo(name: &str) -> String {
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

fn per_lookup(total: Duration, count: usize) -> String {
    format!("{:.2} ms", total.as_secs_f64() * 1000.0 / count as f64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_master_file_imports_and_answers_every_kind_of_lookup() {
    let count: usize = match std::env::var("VENDOR_IMPORT_TEST_COUNT") {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("VENDOR_IMPORT_TEST_COUNT={value:?} is not a number")),
        Err(_) => DEFAULT_COUNT,
    };
    assert!(
        count >= SAMPLES,
        "VENDOR_IMPORT_TEST_COUNT must be at least {SAMPLES}"
    );
    let client = client().await;
    let table = new_table(&client, "large").await;

    let vendors: Vec<Vendor> = (0..count).map(generated_vendor).collect();
    for v in vendors.iter().take(SAMPLES) {
        if let Some(iban) = &v.iban {
            assert!(iban_key(iban).is_some(), "generated IBAN {iban} is valid");
        }
    }
    let items = expected_items(&vendors);

    let started = Instant::now();
    let mut last_report = 0;
    let summary = import_vendors(&client, &table, &vendors, &mut |done| {
        if done - last_report >= count / 10 || done == count {
            println!(
                "  imported {done}/{count} after {:.1} s",
                started.elapsed().as_secs_f64()
            );
            last_report = done;
        }
    })
    .await
    .unwrap();
    let import_time = started.elapsed();
    assert_eq!(
        summary,
        ImportSummary {
            inserted: count,
            updated: 0,
            unchanged: 0
        }
    );
    println!(
        "import of {count} vendors ({items} items): {:.1} s, {:.0} vendors/s",
        import_time.as_secs_f64(),
        count as f64 / import_time.as_secs_f64()
    );

    let store = DynamoVendorStore::new(client.clone(), &table);
    let samples: Vec<&Vendor> = (0..SAMPLES)
        .map(|k| &vendors[k * count / SAMPLES])
        .collect();

    let started = Instant::now();
    let mut vat_lookups = 0;
    for v in &samples {
        let Some(vat) = &v.vat_id else { continue };
        // As an invoice may print it: spaced, without the country prefix.
        let spelt = vat.chars().skip(2).collect::<String>();
        let found = store
            .lookup(&Lookup::vat_id(&spelt).unwrap())
            .await
            .unwrap();
        assert!(found.iter().any(|c| c.vendor == **v), "{vat}");
        vat_lookups += 1;
    }
    let vat_time = started.elapsed();

    let started = Instant::now();
    let mut iban_lookups = 0;
    for v in &samples {
        let Some(iban) = &v.iban else { continue };
        let found = store
            .lookup(&Lookup::iban(&iban.to_lowercase()).unwrap())
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].vendor, **v);
        iban_lookups += 1;
    }
    let iban_time = started.elapsed();

    let started = Instant::now();
    for v in &samples {
        let found = store
            .lookup(&Lookup::name(&v.name.to_uppercase()).unwrap())
            .await
            .unwrap();
        assert!(
            found.iter().any(|c| c.vendor.vendor_id == v.vendor_id),
            "{}",
            v.name
        );
    }
    let name_time = started.elapsed();

    // A fuzzy lookup reads at most DEFAULT_BLOCK_ITEM_LIMIT items per block: a vendor is
    // certain to be found only if one of its blocks is within that limit.
    let mut block_sizes: HashMap<String, usize> = HashMap::new();
    for v in &vendors {
        for key in fuzzy_block_keys(&v.name) {
            *block_sizes.entry(key).or_default() += 1;
        }
    }
    let over_limit = block_sizes
        .values()
        .filter(|&&n| n > DEFAULT_BLOCK_ITEM_LIMIT)
        .count();
    println!(
        "name blocks: {}, largest {} vendors, {over_limit} over the {DEFAULT_BLOCK_ITEM_LIMIT}-item limit",
        block_sizes.len(),
        block_sizes.values().max().unwrap()
    );
    let started = Instant::now();
    let mut candidates = 0;
    let (mut only_large_blocks, mut found_anyway) = (0, 0);
    for v in &samples {
        let misspelt = typo(&v.name);
        let found = store
            .lookup(&Lookup::fuzzy_name(&misspelt, 0.5).unwrap())
            .await
            .unwrap();
        candidates += found.len();
        let hit = found.iter().any(|c| c.vendor.vendor_id == v.vendor_id);
        let findable = fuzzy_block_keys(&misspelt).iter().any(|k| {
            block_sizes
                .get(k)
                .is_some_and(|&n| n <= DEFAULT_BLOCK_ITEM_LIMIT)
        });
        if findable {
            assert!(
                hit,
                "{misspelt:?} did not find {:?} ({} candidates)",
                v.name,
                found.len()
            );
        } else {
            only_large_blocks += 1;
            found_anyway += usize::from(hit);
        }
    }
    let fuzzy_time = started.elapsed();
    println!(
        "lookups per kind, mean of {SAMPLES} samples: VAT id {} ({vat_lookups}), IBAN {} ({iban_lookups}), \
         name {}, fuzzy name {} ({:.1} candidates above 0.5 on average)",
        per_lookup(vat_time, vat_lookups.max(1)),
        per_lookup(iban_time, iban_lookups.max(1)),
        per_lookup(name_time, SAMPLES),
        per_lookup(fuzzy_time, SAMPLES),
        candidates as f64 / SAMPLES as f64
    );
    println!(
        "fuzzy samples whose every block is over the limit: {only_large_blocks}, found anyway: {found_anyway}"
    );

    let started = Instant::now();
    let again = import_vendors(&client, &table, &vendors, &mut |_| {})
        .await
        .unwrap();
    println!(
        "re-import of the same {count} vendors: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(again.unchanged, count);

    // DynamoDB Local counts items live (the service refreshes ItemCount every few hours);
    // a Scan of ~600 000 items takes minutes on DynamoDB Local, this is instant.
    let described = client
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .unwrap();
    let stored = described.table().and_then(|t| t.item_count());
    assert_eq!(stored, Some(items as i64), "items after the re-import");
    drop_table(&client, &table).await;
}
