//! Failures contract.fit reports (`FAIL#<received_at>#<hash>`): their data, kept as sent.

use dynamodb_support::{Item, s};
use serde_json::Value;

use super::{
    DynamoContractFitStore, KEY_HASH_DIGITS, attributes, base_item, parse_json, timestamp,
};
use crate::{Delivery, Failure, Stored, Unavailable, canonical_json};

pub(super) const FAIL_PREFIX: &str = "FAIL#";

impl DynamoContractFitStore {
    pub(super) async fn put_failure(
        &self,
        delivery: &Delivery,
        data: &Value,
    ) -> Result<Stored, Unavailable> {
        let sk = format!(
            "{FAIL_PREFIX}{}#{}",
            delivery.received_at,
            &delivery.data_sha256[..KEY_HASH_DIGITS]
        );
        let mut item = base_item(delivery, &sk, "contractfit_failure");
        item.insert("data".into(), s(canonical_json(data)));
        self.write_once(delivery, None, item, "", Vec::new()).await
    }
}

/// The failure the item `sk` records.
pub(super) fn failure_from_item(sk: &str, item: &Item) -> Result<Failure, Unavailable> {
    let data = attributes(item).required_text("data")?;
    Ok(Failure {
        received_at: timestamp(item, "received_at")?,
        data: parse_json(&data, sk)?,
    })
}
