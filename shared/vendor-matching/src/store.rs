use std::collections::HashMap;
use std::path::Path;

use crate::normalize::{fuzzy_block_keys, iban_key, name_key, name_similarity, vat_key};
use crate::{RejectedRow, Vendor, read_vendor_file};

/// One question to the master data. Keys are normalised by [`Lookup::vat_id`] and friends,
/// so every store compares the same things.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// Vendors whose [`vat_key`] equals this.
    VatId(String),
    /// Vendors whose [`iban_key`] equals this.
    Iban(String),
    /// Vendors whose [`name_key`] equals this.
    Name(String),
    /// Vendors whose name scores at least `threshold` against `name` ([`name_similarity`]).
    FuzzyName { name: String, threshold: f64 },
}

impl Lookup {
    pub fn vat_id(raw: &str) -> Option<Self> {
        vat_key(raw).map(Lookup::VatId)
    }
    pub fn iban(raw: &str) -> Option<Self> {
        iban_key(raw).map(Lookup::Iban)
    }
    pub fn name(raw: &str) -> Option<Self> {
        name_key(raw).map(Lookup::Name)
    }
    pub fn fuzzy_name(raw: &str, threshold: f64) -> Option<Self> {
        (!fuzzy_block_keys(raw).is_empty()).then(|| Lookup::FuzzyName {
            name: raw.to_owned(),
            threshold,
        })
    }
}

/// A vendor a lookup found, with how well it matched (1.0 for exact keys).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub vendor: Vendor,
    pub score: f64,
}

pub use unavailable::{StoreFuture, Unavailable};

/// The dependency [`master_data_unavailable`] names.
pub const MASTER_DATA: &str = "master data";

/// The master data could not be read (unreachable, throttled, misconfigured).
pub fn master_data_unavailable(reason: impl Into<String>) -> Unavailable {
    Unavailable::new(MASTER_DATA, reason)
}

/// Where vendors are looked up. Object-safe, so a function can be handed the in-memory
/// store or the DynamoDB one at start-up.
pub trait VendorStore: Send + Sync {
    /// The vendors answering `lookup`, best first.
    fn lookup<'a>(&'a self, lookup: &'a Lookup) -> StoreFuture<'a, Vec<Candidate>>;
}

/// Scores fuzzy candidates (found by block keys) against `name`, keeps those at or above
/// `threshold`, best first. Every store ranks with this one function.
pub fn rank_fuzzy_candidates(
    name: &str,
    threshold: f64,
    candidates: impl IntoIterator<Item = Vendor>,
) -> Vec<Candidate> {
    let mut ranked: Vec<Candidate> = candidates
        .into_iter()
        .map(|vendor| Candidate {
            score: name_similarity(name, &vendor.name),
            vendor,
        })
        .filter(|c| c.score >= threshold)
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.vendor.vendor_id.cmp(&b.vendor.vendor_id))
    });
    ranked
}

/// Vendors held in memory with the same keys as the DynamoDB table: the local server's
/// default store, loaded from a vendor file.
#[derive(Debug, Default)]
pub struct InMemoryVendorStore {
    vendors: Vec<Vendor>,
    by_id: HashMap<String, usize>,
    index: HashMap<String, Vec<usize>>,
}

impl InMemoryVendorStore {
    pub fn new(vendors: impl IntoIterator<Item = Vendor>) -> Self {
        let mut store = Self::default();
        for vendor in vendors {
            store.upsert(vendor);
        }
        store
    }

    /// Loads a CSV or JSON Lines vendor file; rejected rows are returned for reporting.
    pub fn load(path: &Path) -> std::io::Result<(Self, Vec<RejectedRow>)> {
        let read = read_vendor_file(path)?;
        Ok((
            Self::new(read.vendors.into_iter().map(|(_, v)| v)),
            read.rejected,
        ))
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Every vendor, in the order first inserted.
    pub fn vendors(&self) -> impl Iterator<Item = &Vendor> {
        let mut slots: Vec<usize> = self.by_id.values().copied().collect();
        slots.sort_unstable();
        slots.into_iter().map(|i| &self.vendors[i])
    }

    /// Inserts or replaces the vendor with this id.
    pub fn upsert(&mut self, vendor: Vendor) {
        if let Some(&slot) = self.by_id.get(&vendor.vendor_id) {
            for slots in self.index.values_mut() {
                slots.retain(|&s| s != slot);
            }
        }
        let slot = self.vendors.len();
        for key in index_keys(&vendor) {
            self.index.entry(key).or_default().push(slot);
        }
        self.by_id.insert(vendor.vendor_id.clone(), slot);
        self.vendors.push(vendor);
    }

    fn find(&self, key: &str) -> impl Iterator<Item = &Vendor> {
        self.index
            .get(key)
            .into_iter()
            .flatten()
            .map(|&slot| &self.vendors[slot])
    }
}

/// The keys a vendor is found by, one per lookup kind and fuzzy block. The DynamoDB table
/// stores one item per key; this store one index entry.
pub fn index_keys(vendor: &Vendor) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(key) = vendor.vat_id.as_deref().and_then(vat_key) {
        keys.push(format!("VAT#{key}"));
    }
    if let Some(key) = vendor.iban.as_deref().and_then(iban_key) {
        keys.push(format!("IBAN#{key}"));
    }
    if let Some(key) = name_key(&vendor.name) {
        keys.push(format!("NAME#{key}"));
    }
    keys.extend(
        fuzzy_block_keys(&vendor.name)
            .into_iter()
            .map(|k| format!("BLOCK#{k}")),
    );
    keys
}

/// The index keys a lookup reads.
pub fn lookup_keys(lookup: &Lookup) -> Vec<String> {
    match lookup {
        Lookup::VatId(key) => vec![format!("VAT#{key}")],
        Lookup::Iban(key) => vec![format!("IBAN#{key}")],
        Lookup::Name(key) => vec![format!("NAME#{key}")],
        Lookup::FuzzyName { name, .. } => fuzzy_block_keys(name)
            .into_iter()
            .map(|k| format!("BLOCK#{k}"))
            .collect(),
    }
}

impl VendorStore for InMemoryVendorStore {
    fn lookup<'a>(&'a self, lookup: &'a Lookup) -> StoreFuture<'a, Vec<Candidate>> {
        let keys = lookup_keys(lookup);
        let mut found: Vec<&Vendor> = keys.iter().flat_map(|k| self.find(k)).collect();
        found.sort_by(|a, b| a.vendor_id.cmp(&b.vendor_id));
        found.dedup_by(|a, b| a.vendor_id == b.vendor_id);
        let result = match lookup {
            Lookup::FuzzyName { name, threshold } => {
                rank_fuzzy_candidates(name, *threshold, found.into_iter().cloned())
            }
            _ => found
                .into_iter()
                .map(|v| Candidate {
                    vendor: v.clone(),
                    score: 1.0,
                })
                .collect(),
        };
        Box::pin(std::future::ready(Ok(result)))
    }
}

/// The store a function gets when its master data is not configured: every lookup fails,
/// so matching reports itself unavailable instead of claiming "no match".
#[derive(Debug, Clone)]
pub struct UnavailableVendorStore {
    reason: String,
}

impl UnavailableVendorStore {
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

impl VendorStore for UnavailableVendorStore {
    fn lookup<'a>(&'a self, _lookup: &'a Lookup) -> StoreFuture<'a, Vec<Candidate>> {
        Box::pin(std::future::ready(Err(master_data_unavailable(
            self.reason.clone(),
        ))))
    }
}
