use serde::{Deserialize, Serialize};

use crate::normalize::{name_similarity, vat_country};
use crate::{Candidate, Lookup, Unavailable, VendorStore};

/// One query of the ordered list matching runs (Master Data Hub's "queries").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryKind {
    VatId,
    Iban,
    Name,
    FuzzyName,
}

impl QueryKind {
    /// VAT id, then IBAN, then exact name, then fuzzy name: most to least certain.
    pub const DEFAULT_ORDER: [QueryKind; 4] = [
        QueryKind::VatId,
        QueryKind::Iban,
        QueryKind::Name,
        QueryKind::FuzzyName,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            QueryKind::VatId => "VAT id",
            QueryKind::Iban => "IBAN",
            QueryKind::Name => "name",
            QueryKind::FuzzyName => "similar name",
        }
    }
}

/// What the invoice says about its supplier.
#[derive(Debug, Clone, Copy, Default)]
pub struct MatchInputs<'a> {
    pub vat_id: Option<&'a str>,
    pub iban: Option<&'a str>,
    pub name: Option<&'a str>,
}

/// The result of matching.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchOutcome {
    /// No query found anything.
    NoMatch,
    /// The first query with a hit found exactly one vendor.
    One { candidate: Candidate, by: QueryKind },
    /// The first query with a hit found several; `candidates` are best first.
    Several {
        candidates: Vec<Candidate>,
        by: QueryKind,
    },
}

/// Runs the queries in `order`; the first that finds anything decides. Queries whose input
/// is absent or unusable are skipped, so a missing VAT id falls through to the IBAN.
pub async fn match_vendor(
    store: &dyn VendorStore,
    inputs: &MatchInputs<'_>,
    order: &[QueryKind],
    fuzzy_threshold: f64,
) -> Result<MatchOutcome, Unavailable> {
    for &kind in order {
        let lookup = match kind {
            QueryKind::VatId => inputs.vat_id.and_then(Lookup::vat_id),
            QueryKind::Iban => inputs.iban.and_then(Lookup::iban),
            QueryKind::Name => inputs.name.and_then(Lookup::name),
            QueryKind::FuzzyName => inputs
                .name
                .and_then(|n| Lookup::fuzzy_name(n, fuzzy_threshold)),
        };
        let Some(lookup) = lookup else { continue };
        let mut candidates = store.lookup(&lookup).await?;
        match candidates.len() {
            0 => continue,
            1 => {
                return Ok(MatchOutcome::One {
                    candidate: candidates.remove(0),
                    by: kind,
                });
            }
            _ => {
                rank_several(&mut candidates, inputs);
                return Ok(MatchOutcome::Several {
                    candidates,
                    by: kind,
                });
            }
        }
    }
    Ok(MatchOutcome::NoMatch)
}

/// Best first: the query's score, then the VAT id's country, then name similarity, then id
/// (so the choice is the same on every run).
fn rank_several(candidates: &mut [Candidate], inputs: &MatchInputs<'_>) {
    let country = inputs.vat_id.and_then(vat_country);
    let key = |c: &Candidate| {
        let same_country = country.is_some()
            && (c.vendor.country.as_deref().map(str::to_ascii_uppercase) == country
                || c.vendor.vat_id.as_deref().and_then(vat_country) == country);
        let similarity = inputs
            .name
            .map_or(0.0, |n| name_similarity(n, &c.vendor.name));
        (c.score, same_country, similarity)
    };
    candidates.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        kb.0.total_cmp(&ka.0)
            .then(kb.1.cmp(&ka.1))
            .then(kb.2.total_cmp(&ka.2))
            .then_with(|| a.vendor.vendor_id.cmp(&b.vendor.vendor_id))
    });
}
