//! The master-data table against DynamoDB Local: lookups of every kind, imports, updates.

use crate::common;

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use common::{client, count_items, expected_items, import, new_table, vendor};
use dynamodb_support::connect;
use master_data_store::{
    DynamoVendorStore, ImportSummary, create_master_data_table, import_vendors,
};
use vendor_matching::normalize::name_similarity;
use vendor_matching::{
    Candidate, Lookup, MatchInputs, MatchOutcome, QueryKind, Vendor, VendorStore, match_vendor,
};

fn master_file() -> Vec<Vendor> {
    vec![
        vendor(&[
            ("vendor_id", "V-1"),
            ("name", "Northwind Consulting B.V."),
            ("vat_id", "NL853122947B01"),
            ("iban", "NL91ABNA0417164300"),
            ("street", "Keizersgracht 1"),
            ("city", "Amsterdam"),
            ("postal_code", "1015 CJ"),
            ("country", "NL"),
            ("erp_code", "4711"),
            ("payment_terms", "30 days"),
        ]),
        vendor(&[
            ("vendor_id", "V-2"),
            ("name", "Müller & Söhne GmbH"),
            ("vat_id", "DE123456789"),
            ("iban", "DE89 3704 0044 0532 0130 00"),
            ("city", "Köln"),
        ]),
        vendor(&[
            ("vendor_id", "V-3"),
            ("name", "Žluťoučký kůň s.r.o."),
            ("vat_id", "CZ25596641"),
        ]),
        vendor(&[
            ("vendor_id", "V-4"),
            ("name", "Southbound Logistics Ltd"),
            ("iban", "GB82 WEST 1234 5698 7654 32"),
        ]),
    ]
}

async fn store_with(label: &str, vendors: &[Vendor]) -> DynamoVendorStore {
    let client = client().await;
    let table = new_table(&client, label).await;
    import(&client, &table, vendors).await;
    DynamoVendorStore::new(client, table)
}

async fn ids(store: &DynamoVendorStore, lookup: Option<Lookup>) -> Vec<String> {
    let lookup = lookup.expect("a usable lookup");
    store
        .lookup(&lookup)
        .await
        .unwrap_or_else(|e| panic!("{lookup:?}: {e}"))
        .into_iter()
        .map(|c| c.vendor.vendor_id)
        .collect()
}

/// Looks each lookup up and checks the ids of the vendors it finds, in order; a failure names
/// the lookup.
async fn assert_finds(store: &DynamoVendorStore, cases: &[(Option<Lookup>, &[&str])]) {
    for (lookup, expected) in cases {
        assert_eq!(ids(store, lookup.clone()).await, *expected, "{lookup:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exact_keys_find_vendors_however_the_invoice_spells_them() {
    let vendors = master_file();
    let store = store_with("exact", &vendors).await;

    // VAT ids: with or without the country prefix, with spaces, dots, lower case.
    let found = store
        .lookup(&Lookup::vat_id("NL 8531.22.947.B01").unwrap())
        .await
        .unwrap();
    assert_eq!(
        found,
        vec![Candidate {
            vendor: vendors[0].clone(),
            score: 1.0
        }],
        "the whole vendor comes back, extra columns included"
    );
    assert_finds(
        &store,
        &[
            (Lookup::vat_id("853122947b01"), &["V-1"]),
            (Lookup::vat_id("cz 255 966 41"), &["V-3"]),
            (Lookup::vat_id("DE-123.456.789"), &["V-2"]),
            (Lookup::vat_id("DE999999999"), &[]),
            // IBANs in print and electronic form.
            (Lookup::iban("nl91 abna 0417 1643 00"), &["V-1"]),
            (Lookup::iban("GB82WEST12345698765432"), &["V-4"]),
            (Lookup::iban("NL02ABNA0123456789"), &[]),
            // Exact names: case, accents and punctuation do not matter, missing words do.
            (Lookup::name("MULLER & SOHNE GMBH"), &["V-2"]),
            (Lookup::name("Zlutoucky kun, s. r. o."), &["V-3"]),
            (Lookup::name("northwind consulting bv"), &["V-1"]),
            (Lookup::name("Northwind"), &[]),
        ],
    )
    .await;

    assert_eq!(
        store.get_vendor("V-2").await.unwrap(),
        Some(vendors[1].clone())
    );
    assert_eq!(store.get_vendor("V-404").await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzy_names_find_typos_and_not_strangers() {
    let vendors = master_file();
    let store = store_with("fuzzy", &vendors).await;

    let typo = "Nortwind Consultng";
    let found = store
        .lookup(&Lookup::fuzzy_name(typo, 0.5).unwrap())
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].vendor, vendors[0]);
    let expected = name_similarity(typo, &vendors[0].name);
    assert!((0.5..1.0).contains(&expected), "{expected}");
    assert_eq!(found[0].score, expected);

    // "Northbridge" shares Northwind's block "nort", so it is read, but it scores too low.
    assert!(name_similarity("Northbridge Capital", &vendors[0].name) < 0.5);
    assert_finds(
        &store,
        &[
            (Lookup::fuzzy_name("Northbridge Capital", 0.5), &[]),
            (Lookup::fuzzy_name("Quantum Bakery", 0.5), &[]),
        ],
    )
    .await;

    // Matching over the trait object, as a function is handed the store: VAT and IBAN are
    // absent, the exact name misses, the fuzzy query decides.
    let inputs = MatchInputs {
        name: Some("Mueller Sohne"),
        ..MatchInputs::default()
    };
    let dyn_store: &dyn VendorStore = &store;
    let outcome = match_vendor(dyn_store, &inputs, &QueryKind::DEFAULT_ORDER, 0.3)
        .await
        .unwrap();
    match outcome {
        MatchOutcome::One { candidate, by } => {
            assert_eq!(by, QueryKind::FuzzyName);
            assert_eq!(candidate.vendor.vendor_id, "V-2");
        }
        other => panic!("expected one fuzzy match, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendors_sharing_a_vat_id_all_come_back() {
    let branch = |id: &str, name: &str, vat: &str, city: &str| {
        vendor(&[
            ("vendor_id", id),
            ("name", name),
            ("vat_id", vat),
            ("city", city),
        ])
    };
    let vendors = vec![
        branch("B-3", "ACME Trading Utrecht", "123456789.B01", "Utrecht"),
        branch(
            "B-1",
            "Acme Trading Amsterdam",
            "NL 123456789B01",
            "Amsterdam",
        ),
        branch(
            "B-2",
            "Acme Trading Rotterdam",
            "nl123456789b01",
            "Rotterdam",
        ),
        branch("X-1", "Other Vendor", "NL999999999B01", "Delft"),
    ];
    let store = store_with("shared-vat", &vendors).await;

    let found = store
        .lookup(&Lookup::vat_id("NL123456789B01").unwrap())
        .await
        .unwrap();
    let found_ids: Vec<&str> = found.iter().map(|c| c.vendor.vendor_id.as_str()).collect();
    assert_eq!(
        found_ids,
        ["B-1", "B-2", "B-3"],
        "exact hits are ordered by id"
    );
    assert!(found.iter().all(|c| c.score == 1.0));

    // Matching breaks the tie with the invoice's name.
    let inputs = MatchInputs {
        vat_id: Some("NL123456789B01"),
        name: Some("Acme Trading Rotterdam"),
        ..MatchInputs::default()
    };
    match match_vendor(&store, &inputs, &QueryKind::DEFAULT_ORDER, 0.5)
        .await
        .unwrap()
    {
        MatchOutcome::Several { candidates, by } => {
            assert_eq!(by, QueryKind::VatId);
            assert_eq!(candidates[0].vendor.vendor_id, "B-2");
        }
        other => panic!("expected several VAT matches, got {other:?}"),
    }
}

/// 250 small vendors, some with shared words, to import in three chunks.
fn numbered_vendors(count: usize) -> Vec<Vendor> {
    let words = [
        "Alpha", "Beacon", "Cedar", "Delta", "Ember", "Falcon", "Granite",
    ];
    (0..count)
        .map(|i| {
            let name = format!(
                "{} {} Supplies {i}",
                words[i % words.len()],
                words[(i / 7) % words.len()]
            );
            let vat = format!("NL{:09}B01", 100_000_000 + i);
            vendor(&[
                ("vendor_id", &format!("N-{i:04}")),
                ("name", &name),
                ("vat_id", &vat),
            ])
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reimporting_the_same_vendors_changes_nothing() {
    let client = client().await;
    let table = new_table(&client, "reimport").await;
    // Creating it again is harmless.
    create_master_data_table(&client, &table).await.unwrap();
    let vendors = numbered_vendors(250);

    let mut calls = Vec::new();
    let first = import_vendors(&client, &table, &vendors, &mut |n| calls.push(n))
        .await
        .unwrap();
    assert_eq!(
        first,
        ImportSummary {
            inserted: 250,
            updated: 0,
            unchanged: 0
        }
    );
    assert_eq!(
        calls,
        [100, 200, 250],
        "progress after each chunk, cumulative"
    );
    let items = count_items(&client, &table).await;
    assert_eq!(items, expected_items(&vendors));

    let again = common::import(&client, &table, &vendors).await;
    assert_eq!(
        again,
        ImportSummary {
            inserted: 0,
            updated: 0,
            unchanged: 250
        }
    );
    assert_eq!(count_items(&client, &table).await, items);

    // One changed vendor among unchanged ones.
    let mut changed = vendors.clone();
    changed[42].city = Some("Haarlem".to_owned());
    let third = common::import(&client, &table, &changed).await;
    assert_eq!(
        third,
        ImportSummary {
            inserted: 0,
            updated: 1,
            unchanged: 249
        }
    );
    assert_eq!(count_items(&client, &table).await, items);
    let store = DynamoVendorStore::new(client.clone(), &table);
    let found = store.get_vendor("N-0042").await.unwrap().unwrap();
    assert_eq!(found.city.as_deref(), Some("Haarlem"));
    common::drop_table(&client, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_removes_the_index_items_of_keys_the_vendor_lost() {
    let client = client().await;
    let table = new_table(&client, "update").await;
    let before = vendor(&[
        ("vendor_id", "U-1"),
        ("name", "Granite Quarry Works"),
        ("vat_id", "NL111111111B01"),
        ("iban", "NL91ABNA0417164300"),
    ]);
    import(&client, &table, std::slice::from_ref(&before)).await;
    assert_eq!(
        count_items(&client, &table).await,
        expected_items(std::slice::from_ref(&before))
    );

    // Renamed, with another VAT id and a city; the IBAN stays.
    let after = Vendor {
        name: "Granite Stone Works".to_owned(),
        vat_id: Some("NL222222222B01".to_owned()),
        city: Some("Maastricht".to_owned()),
        ..before.clone()
    };
    let summary = import(&client, &table, std::slice::from_ref(&after)).await;
    assert_eq!(summary.updated, 1);

    let store = DynamoVendorStore::new(client.clone(), &table);
    assert_finds(&store, &[(Lookup::vat_id("NL111111111B01"), &[])]).await;
    let by_new_vat = store
        .lookup(&Lookup::vat_id("NL222222222B01").unwrap())
        .await
        .unwrap();
    assert_eq!(by_new_vat.len(), 1);
    assert_eq!(by_new_vat[0].vendor, after);
    // The kept IBAN key now carries the new fields.
    let by_iban = store
        .lookup(&Lookup::iban("NL91ABNA0417164300").unwrap())
        .await
        .unwrap();
    assert_eq!(by_iban[0].vendor, after);
    assert_finds(
        &store,
        &[
            (Lookup::name("Granite Quarry Works"), &[]),
            (Lookup::name("granite stone works"), &["U-1"]),
        ],
    )
    .await;
    assert!(
        ids(&store, Lookup::fuzzy_name("Quarry", 0.1))
            .await
            .is_empty(),
        "the BLOCK#quar item is gone"
    );

    let old_vat_item = client
        .get_item()
        .table_name(&table)
        .key("pk", AttributeValue::S("VAT#111111111B01".to_owned()))
        .key("sk", AttributeValue::S("VENDOR#U-1".to_owned()))
        .send()
        .await
        .unwrap();
    assert!(old_vat_item.item().is_none());
    assert_eq!(count_items(&client, &table).await, expected_items(&[after]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_import_is_refused_before_anything_is_written() {
    let client = client().await;
    let table = new_table(&client, "refused").await;
    let mut vendors = numbered_vendors(150);
    vendors.push(vendors[3].clone());
    let err = import_vendors(&client, &table, &vendors, &mut |_| {})
        .await
        .unwrap_err();
    assert!(
        err.reason.contains("N-0003") && err.reason.contains("more than once"),
        "{err}"
    );

    let mut vendors = numbered_vendors(150);
    vendors[120].vendor_id.clear();
    let err = import_vendors(&client, &table, &vendors, &mut |_| {})
        .await
        .unwrap_err();
    assert!(err.reason.contains("vendor_id is missing"), "{err}");
    assert_eq!(count_items(&client, &table).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_item_is_an_error_not_a_panic() {
    let client = client().await;
    let table = new_table(&client, "broken").await;
    let item = HashMap::from([
        (
            "pk".to_owned(),
            AttributeValue::S("VAT#55555555".to_owned()),
        ),
        ("sk".to_owned(), AttributeValue::S("VENDOR#Z-1".to_owned())),
        ("vendor_id".to_owned(), AttributeValue::S("Z-1".to_owned())),
    ]);
    client
        .put_item()
        .table_name(&table)
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
    let store = DynamoVendorStore::new(client, &table);
    let err = store
        .lookup(&Lookup::vat_id("55555555").unwrap())
        .await
        .unwrap_err();
    assert!(err.reason.contains("name is missing"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_endpoint_is_a_store_error() {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let client = connect(Some("http://127.0.0.1:1")).await;
    let store = DynamoVendorStore::new(client.clone(), "vendors");
    let lookup = Lookup::vat_id("NL853122947B01").unwrap();
    let fuzzy_lookup = Lookup::fuzzy_name("Northwind Consulting", 0.5).unwrap();
    let vendors = master_file();
    let mut ignore_progress = |_| {};
    let (looked_up, fuzzy, got, imported, created) = tokio::join!(
        store.lookup(&lookup),
        store.lookup(&fuzzy_lookup),
        store.get_vendor("V-1"),
        import_vendors(&client, "vendors", &vendors, &mut ignore_progress),
        create_master_data_table(&client, "vendors"),
    );
    let messages = [
        looked_up.unwrap_err().reason,
        fuzzy.unwrap_err().reason,
        got.unwrap_err().reason,
        imported.unwrap_err().reason,
        created.unwrap_err().reason,
    ];
    for (message, operation) in
        messages
            .iter()
            .zip(["Query", "Query", "GetItem", "BatchGetItem", "CreateTable"])
    {
        assert!(
            message.contains(operation) && message.contains("\"vendors\""),
            "{message}"
        );
    }
    println!("unreachable endpoint: {}", messages[0]);
}
