//! How a text or a document JSON too large for one DynamoDB item (400 KB) is stored: gzip,
//! cut into parts of at most [`CHUNK_BYTES`], reassembled and checked against its SHA-256.

use crate::contractfit_unavailable;
use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use crate::{Unavailable, sha256_hex};

/// Content up to this many bytes is an attribute of its item; larger content is compressed
/// and stored in parts. Leaves room for the item's other attributes below 400 KB.
pub const INLINE_LIMIT: usize = 300_000;

/// The largest part of compressed content in one item.
pub const CHUNK_BYTES: usize = 300_000;

/// Where content goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Layout {
    /// In the item itself, as a string.
    Inline,
    /// In part items: the gzip stream of the content, cut in order.
    Chunked(Vec<Vec<u8>>),
}

pub(crate) fn layout(content: &str) -> Result<Layout, Unavailable> {
    if content.len() <= INLINE_LIMIT {
        return Ok(Layout::Inline);
    }
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(content.as_bytes())
        .and_then(|()| encoder.finish())
        .map(|compressed| {
            Layout::Chunked(compressed.chunks(CHUNK_BYTES).map(<[u8]>::to_vec).collect())
        })
        .map_err(|e| contractfit_unavailable(format!("compressing {} bytes: {e}", content.len())))
}

/// The content of parts, in order, checked against the length and hash its item records.
pub(crate) fn reassemble<'a>(
    parts: impl IntoIterator<Item = &'a [u8]>,
    expected_bytes: usize,
    expected_sha256: &str,
) -> Result<String, Unavailable> {
    let compressed: Vec<u8> = parts.into_iter().flatten().copied().collect();
    let mut content = Vec::with_capacity(expected_bytes);
    // One byte more than expected is enough to notice content longer than recorded.
    GzDecoder::new(compressed.as_slice())
        .take(expected_bytes as u64 + 1)
        .read_to_end(&mut content)
        .map_err(|e| contractfit_unavailable(format!("decompressing stored parts: {e}")))?;
    verified(content, expected_bytes, expected_sha256)
}

/// `content` as text, when its length and hash are what its item records.
pub(crate) fn verified(
    content: Vec<u8>,
    expected_bytes: usize,
    expected_sha256: &str,
) -> Result<String, Unavailable> {
    if content.len() != expected_bytes {
        return Err(contractfit_unavailable(format!(
            "stored content has {} bytes, its item records {expected_bytes}",
            content.len()
        )));
    }
    let actual = sha256_hex(&content);
    if actual != expected_sha256 {
        return Err(contractfit_unavailable(format!(
            "stored content has SHA-256 {actual}, its item records {expected_sha256}"
        )));
    }
    String::from_utf8(content).map_err(|e| contractfit_unavailable(format!("stored content: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_content_stays_inline_and_large_content_round_trips_in_parts() {
        assert_eq!(layout(&"a".repeat(INLINE_LIMIT)).unwrap(), Layout::Inline);

        // Pseudo-random letters compress to well over one part.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let content: String = (0..2_000_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                char::from(b'a' + (state % 26) as u8)
            })
            .collect();
        let Layout::Chunked(parts) = layout(&content).unwrap() else {
            panic!("large content is compressed into parts");
        };
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| p.len() <= CHUNK_BYTES));
        let sha = sha256_hex(content.as_bytes());
        let back = reassemble(parts.iter().map(Vec::as_slice), content.len(), &sha).unwrap();
        assert_eq!(back, content);

        let mut missing = parts.clone();
        missing.pop();
        assert!(reassemble(missing.iter().map(Vec::as_slice), content.len(), &sha).is_err());
        let wrong_hash = sha256_hex(b"other");
        assert!(reassemble(parts.iter().map(Vec::as_slice), content.len(), &wrong_hash).is_err());
        assert!(reassemble(parts.iter().map(Vec::as_slice), content.len() - 1, &sha).is_err());
    }
}
