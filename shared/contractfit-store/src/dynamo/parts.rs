//! The parts of content too large for one item (`CHUNK#<owner>#<index>`): written before
//! the item that refers to them, reassembled and checked when read, removed when nothing
//! refers to them any more.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use dynamodb_support::{Item, PK, SK, s};
use webhook_model::contractfit::DocumentId;

use super::{DynamoContractFitStore, attributes, delete_request};
use crate::blob::{reassemble, verified};
use crate::{Unavailable, contractfit_unavailable};

pub(super) const CHUNK_PREFIX: &str = "CHUNK#";

impl DynamoContractFitStore {
    /// Removes the parts of `owner`. Parts left behind are unreachable and go with the
    /// document's deletion, so a failure is logged, not returned.
    pub(super) async fn remove_parts(&self, pk: &str, owner: &str, count: usize) {
        let requests: Result<Vec<_>, _> = (0..count)
            .map(|index| delete_request(pk, &part_sk(owner, index)))
            .collect();
        if let Err(error) = async { self.batch_write(requests?).await }.await {
            tracing::warn!(
                partition = pk,
                parts = count,
                "unreferenced parts left in the table: {error}"
            );
        }
    }
}

pub(super) fn part_sk(owner: &str, index: usize) -> String {
    format!("{CHUNK_PREFIX}{owner}#{index:05}")
}

/// The put requests of `parts`, the items of `owner` in the partition `pk`.
pub(super) fn part_puts(
    pk: &str,
    owner: &str,
    document_id: &DocumentId,
    parts: Vec<Vec<u8>>,
) -> Result<Vec<WriteRequest>, Unavailable> {
    parts
        .into_iter()
        .enumerate()
        .map(|(index, data)| {
            let mut part = HashMap::with_capacity(5);
            part.insert(PK.to_owned(), s(pk));
            part.insert(SK.to_owned(), s(part_sk(owner, index)));
            part.insert("kind".to_owned(), s("contractfit_chunk"));
            part.insert("document_id".to_owned(), s(document_id.as_str()));
            part.insert("data".to_owned(), AttributeValue::B(Blob::new(data)));
            PutRequest::builder()
                .set_item(Some(part))
                .build()
                .map(|put| WriteRequest::builder().put_request(put).build())
                .map_err(|e| contractfit_unavailable(format!("part put: {e}")))
        })
        .collect()
}

/// The owner, index and data of the part item `sk` (`CHUNK#<rest>`).
pub(super) fn part_of<'a>(
    sk: &str,
    rest: &'a str,
    item: &Item,
) -> Result<(&'a str, usize, Blob), Unavailable> {
    let (owner, index) = rest
        .rsplit_once('#')
        .and_then(|(owner, index)| Some((owner, index.parse::<usize>().ok()?)))
        .ok_or_else(|| contractfit_unavailable(format!("part item with sort key {sk:?}")))?;
    let data = match item.get("data") {
        Some(AttributeValue::B(data)) => data.clone(),
        _ => {
            return Err(contractfit_unavailable(format!(
                "part {sk:?} without binary data"
            )));
        }
    };
    Ok((owner, index, data))
}

/// Inline content, or the parts of `owner` reassembled; checked against length and hash.
pub(super) fn content(
    item: &Item,
    inline_attribute: &str,
    owner: &str,
    expected_bytes: usize,
    expected_sha256: &str,
    parts: &HashMap<String, BTreeMap<usize, Blob>>,
) -> Result<String, Unavailable> {
    if let Some(inline) = attributes(item).text(inline_attribute)? {
        return verified(inline.into_bytes(), expected_bytes, expected_sha256);
    }
    let count: usize = attributes(item).number("chunk_count")?.ok_or_else(|| {
        contractfit_unavailable(format!("{owner} has neither {inline_attribute} nor parts"))
    })?;
    let found = parts.get(owner);
    let ordered = (0..count)
        .map(|index| {
            found
                .and_then(|p| p.get(&index))
                .map(|blob| blob.as_ref())
                .ok_or_else(|| {
                    contractfit_unavailable(format!("{owner} is missing part {index} of {count}"))
                })
        })
        .collect::<Result<Vec<&[u8]>, _>>()?;
    reassemble(ordered, expected_bytes, expected_sha256)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_of_parts() {
        assert_eq!(part_sk("TEXT#ab", 3), "CHUNK#TEXT#ab#00003");
    }
}
