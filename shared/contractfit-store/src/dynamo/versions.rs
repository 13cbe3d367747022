//! The versions of a document (`<PREDICT|EVALUATE|REJECT>#<received_at>#<hash>`): every
//! document event's JSON, kept side by side.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::primitives::Blob;
use dynamodb_support::{Item, n, s};
use serde_json::Value;
use webhook_model::contractfit::ContractFitEvent;

use super::parts::content;
use super::{
    DynamoContractFitStore, KEY_HASH_DIGITS, attributes, base_item, parse_json, timestamp,
};
use crate::blob::{Layout, layout};
use crate::{
    Delivery, DocumentVersion, Stored, Timestamp, Unavailable, canonical_json,
    contractfit_unavailable, document_time, not_a_document_event, sha256_hex, version_prefix,
};

impl DynamoContractFitStore {
    pub(super) async fn put_document(
        &self,
        delivery: &Delivery,
        document: &Value,
    ) -> Result<Stored, Unavailable> {
        let prefix =
            version_prefix(&delivery.event).ok_or_else(|| not_a_document_event(&delivery.event))?;
        let json = canonical_json(document);
        let sha256 = sha256_hex(json.as_bytes());
        let time = document_time(document);
        let sk = format!(
            "{prefix}#{}#{}",
            delivery.received_at,
            &sha256[..KEY_HASH_DIGITS]
        );
        let kind = format!("contractfit_{}", prefix.to_ascii_lowercase());
        let mut item = base_item(delivery, &sk, &kind);
        item.insert("event".into(), s(delivery.event.as_str()));
        item.insert("document_sha256".into(), s(&sha256));
        item.insert("document_bytes".into(), n(json.len()));
        if let Some(time) = &time {
            item.insert("document_time".into(), s(time.as_str()));
        }
        let parts = match layout(&json)? {
            Layout::Inline => {
                item.insert("document".into(), s(json));
                Vec::new()
            }
            Layout::Chunked(parts) => {
                // Writing megabytes of parts for a duplicate or a deleted document is waste.
                if let Some(outcome) = self.precheck(delivery, time.as_ref()).await? {
                    return Ok(outcome);
                }
                item.insert("chunk_count".into(), n(parts.len()));
                parts
            }
        };
        let part_count = parts.len();
        let outcome = self
            .write_once(delivery, time.as_ref(), item, &sk, parts)
            .await?;
        // A version's parts are its own: nothing else refers to them when it was not stored.
        if outcome != Stored::Stored && part_count > 0 {
            let pk = Self::partition_key(&delivery.document_id);
            self.remove_parts(&pk, &sk, part_count).await;
        }
        Ok(outcome)
    }
}

/// The event of a version item's sort key.
pub(super) fn version_event(sk: &str) -> Option<ContractFitEvent> {
    let prefix = sk.split('#').next()?;
    [
        ContractFitEvent::DocumentPredict,
        ContractFitEvent::DocumentEvaluate,
        ContractFitEvent::DocumentReject,
    ]
    .into_iter()
    .find(|event| version_prefix(event) == Some(prefix))
}

pub(super) fn version_from_item(
    sk: &str,
    item: &Item,
    parts: &HashMap<String, BTreeMap<usize, Blob>>,
) -> Result<DocumentVersion, Unavailable> {
    let event =
        version_event(sk).ok_or_else(|| contractfit_unavailable(format!("version item {sk:?}")))?;
    let sha256 = attributes(item).required_text("document_sha256")?;
    let bytes = attributes(item).required_number("document_bytes")?;
    let json = content(item, "document", sk, bytes, &sha256, parts)?;
    Ok(DocumentVersion {
        event,
        received_at: timestamp(item, "received_at")?,
        document_time: attributes(item)
            .text("document_time")?
            .map(|t| Timestamp::parse(&t).map_err(|e| contractfit_unavailable(e.to_string())))
            .transpose()?,
        sha256,
        document: parse_json(&json, sk)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_of_versions() {
        assert_eq!(
            version_event("EVALUATE#2026-11-20T09:00:00.000000Z#0123456789abcdef"),
            Some(ContractFitEvent::DocumentEvaluate)
        );
        assert_eq!(version_event("EVALUATED#x"), None);
        assert_eq!(version_event("TEXT"), None);
    }
}
