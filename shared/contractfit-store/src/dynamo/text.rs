//! The OCR text of a document (`TEXT`): inline when small, else in parts keyed by its hash;
//! a new text replaces the old one, whose parts are then removed.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::primitives::Blob;
use dynamodb_support::{Item, n, s};

use super::deletion::DELETED_SK;
use super::delivery::delivery_sk;
use super::parts::content;
use super::{DynamoContractFitStore, attributes, base_item, timestamp};
use crate::blob::{Layout, layout};
use crate::{Delivery, Stored, StoredText, Unavailable, sha256_hex};

pub(super) const TEXT_SK: &str = "TEXT";

impl DynamoContractFitStore {
    pub(super) async fn put_text(
        &self,
        delivery: &Delivery,
        text: &str,
    ) -> Result<Stored, Unavailable> {
        let pk = Self::partition_key(&delivery.document_id);
        // A duplicate or a deleted document needs no parts written, and the parts of the text
        // this one replaces are removed once it is in place.
        let delivery_key = delivery_sk(delivery);
        let (marker, seen, current) = tokio::try_join!(
            self.get(&pk, DELETED_SK),
            self.get(&pk, &delivery_key),
            self.get(&pk, TEXT_SK),
        )?;
        if seen.is_some() {
            return Ok(Stored::Duplicate);
        }
        if marker.is_some() {
            return Ok(Stored::AfterDeletion);
        }
        let sha256 = sha256_hex(text.as_bytes());
        let owner = format!("TEXT#{sha256}");
        let mut item = base_item(delivery, TEXT_SK, "contractfit_text");
        item.insert("text_sha256".into(), s(&sha256));
        item.insert("text_bytes".into(), n(text.len()));
        let parts = match layout(text)? {
            Layout::Inline => {
                item.insert("text".into(), s(text));
                Vec::new()
            }
            Layout::Chunked(parts) => {
                item.insert("chunk_count".into(), n(parts.len()));
                parts
            }
        };
        let part_count = parts.len();
        let outcome = self.write_once(delivery, None, item, &owner, parts).await?;
        match outcome {
            // The parts are keyed by content: a duplicate's are the stored text's own.
            Stored::AfterDeletion => self.remove_parts(&pk, &owner, part_count).await,
            Stored::Stored => {
                if let Some(replaced) = current {
                    let old_sha = attributes(&replaced)
                        .text("text_sha256")?
                        .unwrap_or_default();
                    let old_parts = attributes(&replaced).number("chunk_count")?.unwrap_or(0);
                    if old_sha != sha256 && old_parts > 0 {
                        self.remove_parts(&pk, &format!("TEXT#{old_sha}"), old_parts)
                            .await;
                    }
                }
            }
            Stored::Duplicate => {}
        }
        Ok(outcome)
    }
}

pub(super) fn text_from_item(
    item: &Item,
    parts: &HashMap<String, BTreeMap<usize, Blob>>,
) -> Result<StoredText, Unavailable> {
    let sha256 = attributes(item).required_text("text_sha256")?;
    let bytes = attributes(item).required_number("text_bytes")?;
    let text = content(
        item,
        "text",
        &format!("TEXT#{sha256}"),
        bytes,
        &sha256,
        parts,
    )?;
    Ok(StoredText {
        text,
        sha256,
        received_at: timestamp(item, "received_at")?,
    })
}
