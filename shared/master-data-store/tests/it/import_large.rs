//! A master file of realistic size (100 000 vendors unless `VENDOR_IMPORT_TEST_COUNT` says
//! otherwise): import, lookups of every kind, re-import. Timings are printed, not asserted.

use crate::common;

use std::time::{Duration, Instant};

use common::generated::{generated_vendor, typo, vendor_count};
use common::{client, drop_table, expected_items, new_table};
use master_data_store::{DynamoVendorStore, ImportSummary, import_vendors};
use std::collections::HashMap;

use master_data_store::DEFAULT_BLOCK_ITEM_LIMIT;
use vendor_matching::normalize::{fuzzy_block_keys, iban_key};
use vendor_matching::{Lookup, Vendor, VendorStore};

const SAMPLES: usize = 50;

fn per_lookup(total: Duration, count: usize) -> String {
    format!("{:.2} ms", total.as_secs_f64() * 1000.0 / count as f64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_master_file_imports_and_answers_every_kind_of_lookup() {
    let count = vendor_count();
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
