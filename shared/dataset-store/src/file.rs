//! Dataset files as Rossum's Master Data Hub takes them: CSV with a header row (`;` or `,`;
//! every value a string, an empty cell no field),
//! a JSON array of objects, or JSON Lines. Every accepted record is a JSON object (nested
//! objects kept); a row that cannot be one is rejected with its 1-based line in the file.
//!
//! Bounded: a file over [`MAX_FILE_BYTES`] is refused whole, and a record whose compact JSON
//! is over [`MAX_RECORD_BYTES`] is rejected.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

/// The largest dataset file read, in bytes (256 MiB): the file and its records are held in
/// memory (the local server serves them from there), and a 100 000-record dataset of
/// typical rows is a few tens of MiB.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The largest record accepted, in bytes of its compact JSON (350 KiB): a DynamoDB item holds
/// at most 400 KB, and the store adds its keys and index attributes to the record.
pub const MAX_RECORD_BYTES: usize = 350 * 1024;

/// A file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetFormat {
    /// A header row, then one record per row; `;` or `,` (detected from the header line),
    /// `"` quotes; every value a string, as MDH stores CSV uploads.
    Csv,
    /// One array of objects.
    Json,
    /// One object per line; blank lines skipped.
    JsonLines,
}

impl DatasetFormat {
    /// The format a file name says: `.csv`, `.json`, `.jsonl` or `.ndjson` (any case).
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            "jsonl" | "ndjson" => Some(Self::JsonLines),
            _ => None,
        }
    }

    /// The format content looks like: `[` first is JSON, `{` first is JSON Lines, anything
    /// else CSV.
    pub fn sniff(content: &[u8]) -> Self {
        let content = content.strip_prefix(BOM).unwrap_or(content);
        match content.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => Self::Json,
            Some(b'{') => Self::JsonLines,
            _ => Self::Csv,
        }
    }
}

/// A row that was not accepted, with its 1-based line number in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub line: usize,
    pub reason: String,
}

/// What a dataset file holds: its records in file order, and the rows rejected.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ReadDataset {
    pub records: Vec<Value>,
    pub rejected: Vec<RejectedRow>,
}

/// Reads a dataset file, its format from its extension ([`DatasetFormat::from_path`]), else
/// from its content ([`DatasetFormat::sniff`]).
///
/// A file refused whole (over [`MAX_FILE_BYTES`], a CSV header with an empty or repeated
/// name, JSON that is not an array or not well formed) is an
/// [`InvalidData`](std::io::ErrorKind::InvalidData) error saying the line and why.
pub fn read_dataset_file(path: &Path) -> std::io::Result<ReadDataset> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > MAX_FILE_BYTES {
        return Err(refused(too_large(size, MAX_FILE_BYTES)));
    }
    let content = read_bounded(file).map_err(|failure| match failure {
        Failure::Io(error, _) => error,
        Failure::Refused(row) => refused(row),
    })?;
    let format = DatasetFormat::from_path(path).unwrap_or_else(|| DatasetFormat::sniff(&content));
    parse(&content, format).map_err(refused)
}

/// Reads a dataset in `format` from `reader`. Never fails: a file refused whole (see
/// [`read_dataset_file`]) or a read error gives no records and one rejected row saying why.
pub fn read_dataset(reader: impl Read, format: DatasetFormat) -> ReadDataset {
    let outcome =
        read_bounded(reader).and_then(|content| parse(&content, format).map_err(Failure::Refused));
    match outcome {
        Ok(read) => read,
        Err(Failure::Refused(row)) => ReadDataset {
            records: Vec::new(),
            rejected: vec![row],
        },
        Err(Failure::Io(error, line)) => ReadDataset {
            records: Vec::new(),
            rejected: vec![RejectedRow {
                line,
                reason: format!("the file could not be read: {error}"),
            }],
        },
    }
}

const BOM: &[u8] = b"\xef\xbb\xbf";

enum Failure {
    /// A read error, and the line it happened on.
    Io(std::io::Error, usize),
    Refused(RejectedRow),
}

fn refused(row: RejectedRow) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("line {}: {}", row.line, row.reason),
    )
}

fn too_large(size: u64, limit: u64) -> RejectedRow {
    RejectedRow {
        line: 1,
        reason: format!(
            "the file is over the limit of {limit} bytes ({size} bytes or more); \
             split it or import it in parts"
        ),
    }
}

fn read_bounded(reader: impl Read) -> Result<Vec<u8>, Failure> {
    read_at_most(reader, MAX_FILE_BYTES)
}

fn read_at_most(reader: impl Read, limit: u64) -> Result<Vec<u8>, Failure> {
    let mut content = Vec::new();
    // One byte past the limit tells a file of exactly the limit from a longer one.
    if let Err(error) = reader.take(limit + 1).read_to_end(&mut content) {
        return Err(Failure::Io(error, line_count(&content) + 1));
    }
    if content.len() as u64 > limit {
        return Err(Failure::Refused(too_large(content.len() as u64, limit)));
    }
    Ok(content)
}

fn line_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

fn parse(content: &[u8], format: DatasetFormat) -> Result<ReadDataset, RejectedRow> {
    let content = content.strip_prefix(BOM).unwrap_or(content);
    match format {
        DatasetFormat::Csv => read_csv(content),
        DatasetFormat::Json => read_json(content),
        DatasetFormat::JsonLines => Ok(read_json_lines(content)),
    }
}

/// The record, or why it is not one: not an object, or over [`MAX_RECORD_BYTES`].
fn accept(value: Value, what: impl FnOnce(&Value) -> String) -> Result<Value, String> {
    if !value.is_object() {
        return Err(what(&value));
    }
    check_size(&value)?;
    Ok(value)
}

fn check_size(record: &Value) -> Result<(), String> {
    let size = compact_size(record);
    if size > MAX_RECORD_BYTES {
        return Err(format!(
            "the record is {size} bytes as JSON, over the limit of {MAX_RECORD_BYTES} \
             (a DynamoDB item holds at most 400 KB)"
        ));
    }
    Ok(())
}

fn compact_size(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing a Value to a counter cannot fail.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

// ---- CSV ----

/// `;` or `,`, whichever the header line (outside quotes) holds more of; `;` on a tie or when
/// it holds neither, as that is MDH's default.
fn detect_delimiter(content: &[u8]) -> u8 {
    let (mut semicolons, mut commas, mut quoted) = (0usize, 0usize, false);
    for &byte in content {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b';' if !quoted => semicolons += 1,
            b',' if !quoted => commas += 1,
            _ => {}
        }
    }
    if commas > semicolons { b',' } else { b';' }
}

fn read_csv(content: &[u8]) -> Result<ReadDataset, RejectedRow> {
    if content.iter().all(u8::is_ascii_whitespace) {
        return Err(RejectedRow {
            line: 1,
            reason: "the file is empty: a CSV dataset starts with a header row".to_owned(),
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(detect_delimiter(content))
        .flexible(false)
        .from_reader(content);
    // The csv crate counts a CRLF file's lines one short, so lines come from byte offsets.
    let mut lines = LineCounter::new(content);
    let mut line_of =
        |position: Option<&csv::Position>| position.map_or(1, |p| lines.line_at(p.byte() as usize));
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            return Err(RejectedRow {
                line: line_of(error.position()),
                reason: format!("the header row cannot be read: {}", csv_reason(&error)),
            });
        }
    };
    let line = line_of(headers.position());
    // A header name is a field name that queries and indexes name; stray spaces around it
    // are never meant. Values are kept exactly, as equality on them is exact.
    let names: Vec<String> = headers.iter().map(|h| h.trim().to_owned()).collect();
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(RejectedRow {
                line,
                reason: format!(
                    "column {} of the header has no name (every column needs one)",
                    i + 1
                ),
            });
        }
        if let Some(first) = names[..i].iter().position(|n| n == name) {
            return Err(RejectedRow {
                line,
                reason: format!(
                    "the header names {name:?} twice (columns {} and {})",
                    first + 1,
                    i + 1
                ),
            });
        }
    }
    let mut read = ReadDataset::default();
    for row in reader.records() {
        match row {
            Ok(row) => {
                let line = line_of(row.position());
                // An empty cell is no value: the record lacks that field, so a query for ""
                // (an empty datapoint) does not match every record with a blank cell.
                let record: Map<String, Value> = names
                    .iter()
                    .cloned()
                    .zip(row.iter())
                    .filter(|(_, cell)| !cell.is_empty())
                    .map(|(name, cell)| (name, Value::String(cell.to_owned())))
                    .collect();
                let record = Value::Object(record);
                match check_size(&record) {
                    Ok(()) => read.records.push(record),
                    Err(reason) => read.rejected.push(RejectedRow { line, reason }),
                }
            }
            Err(error) => read.rejected.push(RejectedRow {
                line: line_of(error.position()),
                reason: csv_reason(&error),
            }),
        }
    }
    Ok(read)
}

/// Lines of byte offsets that only move forward, counted once.
struct LineCounter<'c> {
    content: &'c [u8],
    offset: usize,
    line: usize,
}

impl<'c> LineCounter<'c> {
    fn new(content: &'c [u8]) -> Self {
        Self {
            content,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the first byte at or after `offset` that is not a line end (where a
    /// record that the csv crate says starts at `offset` really starts).
    fn line_at(&mut self, offset: usize) -> usize {
        let mut start = offset.min(self.content.len());
        while matches!(self.content.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start >= self.offset {
            self.line += line_count(&self.content[self.offset..start]);
            self.offset = start;
        }
        self.line
    }
}

fn csv_reason(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} cells where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_owned(),
        _ => error.to_string(),
    }
}

// ---- JSON Lines ----

fn read_json_lines(content: &[u8]) -> ReadDataset {
    let mut read = ReadDataset::default();
    for (index, line) in content.split(|&b| b == b'\n').enumerate() {
        let line_number = index + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let outcome = std::str::from_utf8(line)
            .map_err(|_| "not valid UTF-8".to_owned())
            .and_then(|text| {
                serde_json::from_str::<Value>(text).map_err(|e| format!("not valid JSON: {e}"))
            })
            .and_then(|value| {
                accept(value, |v| {
                    format!("{} where a record is an object", kind(v))
                })
            });
        match outcome {
            Ok(record) => read.records.push(record),
            Err(reason) => read.rejected.push(RejectedRow {
                line: line_number,
                reason,
            }),
        }
    }
    read
}

// ---- JSON ----

/// Walks the top-level array itself (each element cut out by bracket depth, then parsed on
/// its own), so that a bad element is rejected with its line and the others are kept.
fn read_json(content: &[u8]) -> Result<ReadDataset, RejectedRow> {
    let text = std::str::from_utf8(content).map_err(|error| RejectedRow {
        line: line_count(&content[..error.valid_up_to()]) + 1,
        reason: "not valid UTF-8".to_owned(),
    })?;
    let mut scan = Scanner::new(text.as_bytes());
    let refuse = |line: usize, reason: String| -> Result<ReadDataset, RejectedRow> {
        Err(RejectedRow { line, reason })
    };
    scan.skip_whitespace();
    match scan.peek() {
        Some(b'[') => scan.advance(1),
        None => {
            return refuse(
                1,
                "the file is empty: a JSON dataset is an array of objects".into(),
            );
        }
        Some(_) => {
            let line = scan.line();
            let found =
                serde_json::from_str::<Value>(text).map_or("no JSON value", |value| kind(&value));
            return refuse(
                line,
                format!("a JSON dataset is an array of objects; this file holds {found}"),
            );
        }
    }
    let mut read = ReadDataset::default();
    let mut number = 0usize;
    loop {
        scan.skip_whitespace();
        if scan.peek() == Some(b']') {
            if number > 0 {
                let line = scan.line();
                read.rejected.push(RejectedRow {
                    line,
                    reason: "a comma with no element after it (not valid JSON)".to_owned(),
                });
            }
            scan.advance(1);
            break;
        }
        let (start, line) = (scan.position, scan.line());
        if !scan.skip_value() {
            return refuse(
                line,
                "the array is not closed (the file ends inside this element)".into(),
            );
        }
        number += 1;
        let element = &text[start..scan.position];
        let outcome = serde_json::from_str::<Value>(element)
            .map_err(|e| {
                let at = line + e.line().saturating_sub(1);
                (at, format!("not valid JSON: {e}"))
            })
            .and_then(|value| {
                accept(value, |v| {
                    format!(
                        "element {number} of the array is {}, not an object",
                        kind(v)
                    )
                })
                .map_err(|reason| (line, reason))
            });
        match outcome {
            Ok(record) => read.records.push(record),
            Err((line, reason)) => read.rejected.push(RejectedRow { line, reason }),
        }
        scan.skip_whitespace();
        match scan.peek() {
            Some(b',') => scan.advance(1),
            Some(b']') => {
                scan.advance(1);
                break;
            }
            None => return refuse(scan.line(), "the array is not closed (no ])".into()),
            Some(_) => {
                return refuse(
                    scan.line(),
                    format!("expected , or ] after element {number} (line {line})"),
                );
            }
        }
    }
    scan.skip_whitespace();
    if scan.peek().is_some() {
        return refuse(scan.line(), "text after the end of the array".into());
    }
    Ok(read)
}

/// A cursor over JSON text that knows its line.
struct Scanner<'t> {
    bytes: &'t [u8],
    position: usize,
    /// The line of `counted`, the furthest offset whose line is known.
    lines: usize,
    counted: usize,
}

impl<'t> Scanner<'t> {
    fn new(bytes: &'t [u8]) -> Self {
        Self {
            bytes,
            position: 0,
            lines: 1,
            counted: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn advance(&mut self, by: usize) {
        self.position = (self.position + by).min(self.bytes.len());
    }

    /// The 1-based line of the current position (positions only move forward).
    fn line(&mut self) -> usize {
        self.lines += line_count(&self.bytes[self.counted..self.position]);
        self.counted = self.position;
        self.lines
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.position += 1;
        }
    }

    /// Moves past one value: a string, a bracketed value (to its matching close, by depth
    /// only: its inside is checked when it is parsed) or a bare scalar. False when the text
    /// ends first.
    fn skip_value(&mut self) -> bool {
        let mut depth = 0usize;
        while let Some(byte) = self.peek() {
            match byte {
                b'"' => {
                    if !self.skip_string() {
                        return false;
                    }
                    if depth == 0 {
                        return true;
                    }
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        self.position += 1;
                        return true;
                    }
                }
                b',' | b']' | b'}' if depth == 0 => return true,
                b if depth == 0 && b.is_ascii_whitespace() => return true,
                _ => {}
            }
            self.position += 1;
        }
        depth == 0
    }

    /// Moves past a string starting at the current `"`. False when it is not closed.
    fn skip_string(&mut self) -> bool {
        self.position += 1;
        while let Some(byte) = self.peek() {
            self.position += 1;
            match byte {
                b'\\' => self.advance(1),
                b'"' => return true,
                _ => {}
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(text: &str, format: DatasetFormat) -> ReadDataset {
        read_dataset(text.as_bytes(), format)
    }

    fn rejected(read: &ReadDataset) -> Vec<(usize, &str)> {
        read.rejected
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect()
    }

    /// The single rejected row of a file refused whole.
    fn refusal(read: &ReadDataset) -> (usize, &str) {
        assert!(read.records.is_empty(), "{read:?}");
        assert_eq!(read.rejected.len(), 1, "{read:?}");
        (read.rejected[0].line, read.rejected[0].reason.as_str())
    }

    #[test]
    fn csv_with_semicolons_reads_every_value_as_a_string_and_rejects_short_rows() {
        let csv = "\u{feff}po_number;line_number;description\r\n\
                   PO-1;1;\"Bolts; M8\"\r\n\
                   PO-1;2\r\n\
                   PO-2;1;\" spaced \"\r\n\
                   PO-3;1;\r\n";
        let read = read(csv, DatasetFormat::Csv);
        assert_eq!(
            read.records,
            [
                json!({"po_number": "PO-1", "line_number": "1", "description": "Bolts; M8"}),
                json!({"po_number": "PO-2", "line_number": "1", "description": " spaced "}),
                json!({"po_number": "PO-3", "line_number": "1"}),
            ],
            "an empty cell is no field"
        );
        assert_eq!(rejected(&read), [(3, "2 cells where the header has 3")]);
    }

    #[test]
    fn csv_delimiter_comes_from_the_header_line() {
        let commas = read("code,name\nA-1,\"Bolt; steel\"\n", DatasetFormat::Csv);
        assert_eq!(
            commas.records,
            [json!({"code": "A-1", "name": "Bolt; steel"})]
        );
        // A quoted comma in the header does not count, and one column defaults to `;`.
        let quoted = read("\"a,b\";c\n1;2\n", DatasetFormat::Csv);
        assert_eq!(quoted.records, [json!({"a,b": "1", "c": "2"})]);
        let one = read("name\nSmith, John\n", DatasetFormat::Csv);
        assert_eq!(one.records, [json!({"name": "Smith, John"})]);
    }

    #[test]
    fn csv_lines_count_from_the_header_across_quoted_newlines_and_blank_lines() {
        for end in ["\n", "\r\n"] {
            let csv = "code;note\nA;\"two\nlines\"\n\nB\nC;ok\nD\n".replace('\n', end);
            let read = read(&csv, DatasetFormat::Csv);
            assert_eq!(read.records.len(), 2);
            assert_eq!(
                rejected(&read),
                [
                    (5, "1 cells where the header has 2"),
                    (7, "1 cells where the header has 2")
                ],
                "{end:?}"
            );
        }
    }

    #[test]
    fn csv_headers_with_empty_or_repeated_names_are_refused() {
        let empty = read("code;;name\n1;2;3\n", DatasetFormat::Csv);
        assert_eq!(
            refusal(&empty),
            (
                1,
                "column 2 of the header has no name (every column needs one)"
            )
        );
        let twice = read("code; name ;name\n1;2;3\n", DatasetFormat::Csv);
        assert_eq!(
            refusal(&twice),
            (1, "the header names \"name\" twice (columns 2 and 3)")
        );
        let nothing = read("\u{feff}\n", DatasetFormat::Csv);
        assert!(refusal(&nothing).1.contains("empty"));
    }

    #[test]
    fn csv_rows_that_are_not_utf8_are_rejected_by_line() {
        let read = read_dataset(&b"code;name\nA;ok\nB;\xff\n"[..], DatasetFormat::Csv);
        assert_eq!(read.records.len(), 1);
        assert_eq!(rejected(&read), [(3, "not valid UTF-8")]);
    }

    #[test]
    fn json_arrays_keep_nested_objects_and_reject_other_elements_by_line() {
        let json = "\u{feff}[\n  {\"po_number\": \"PO-1\", \"vendor\": {\"id\": \"V-1\"}, \"total\": 12.5},\n  \"PO-2\",\n  [1, {\"a\": \"]\"}],\n  {\"po_number\": \"PO-3\", \"lines\": [{\"n\": 1}]}\n]\n";
        let read = read(json, DatasetFormat::Json);
        assert_eq!(
            read.records,
            [
                json!({"po_number": "PO-1", "vendor": {"id": "V-1"}, "total": 12.5}),
                json!({"po_number": "PO-3", "lines": [{"n": 1}]}),
            ]
        );
        assert_eq!(
            rejected(&read),
            [
                (3, "element 2 of the array is a string, not an object"),
                (4, "element 3 of the array is an array, not an object"),
            ]
        );
    }

    #[test]
    fn a_malformed_json_element_is_rejected_at_its_line_and_the_rest_kept() {
        let json = "[{\"a\": 1},\n{\"b\":\n  tru},\n{\"c\": \"x\\\"}\"}]";
        let read = read(json, DatasetFormat::Json);
        assert_eq!(read.records, [json!({"a": 1}), json!({"c": "x\"}"})]);
        let rows = rejected(&read);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, 3);
        assert!(rows[0].1.starts_with("not valid JSON"), "{rows:?}");
        assert_eq!(
            read_dataset(&b"[]"[..], DatasetFormat::Json),
            ReadDataset::default()
        );
    }

    #[test]
    fn json_that_is_not_one_closed_array_is_refused_with_its_line() {
        let object = read("\n{\"a\": 1}", DatasetFormat::Json);
        assert_eq!(
            refusal(&object),
            (
                2,
                "a JSON dataset is an array of objects; this file holds an object"
            )
        );
        let open = read("[{\"a\": 1},\n{\"b\": 2}", DatasetFormat::Json);
        assert_eq!(refusal(&open), (2, "the array is not closed (no ])"));
        let cut = read("[{\"a\": 1},\n{\"b\": [2", DatasetFormat::Json);
        assert!(refusal(&cut).1.contains("ends inside"));
        let missing_comma = read("[{\"a\": 1}\n{\"b\": 2}]", DatasetFormat::Json);
        assert!(refusal(&missing_comma).1.starts_with("expected , or ]"));
        let trailing = read("[{\"a\": 1}]\n[]", DatasetFormat::Json);
        assert_eq!(refusal(&trailing), (2, "text after the end of the array"));
        let trailing_comma = read("[{\"a\": 1},\n]", DatasetFormat::Json);
        assert_eq!(trailing_comma.records, [json!({"a": 1})]);
        assert_eq!(
            rejected(&trailing_comma),
            [(2, "a comma with no element after it (not valid JSON)")]
        );
        assert!(refusal(&read("", DatasetFormat::Json)).1.contains("empty"));
    }

    #[test]
    fn deeply_nested_json_is_rejected_not_overflowed() {
        let deep = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
        let read = read(&deep, DatasetFormat::Json);
        assert!(read.records.is_empty());
        assert!(read.rejected[0].reason.contains("recursion"), "{read:?}");
    }

    #[test]
    fn json_lines_skip_blank_lines_and_reject_bad_ones_by_number() {
        let jsonl = "{\"code\": \"A-1\", \"price\": 1.5}\r\n\n  \n[1]\n{\"code\":\nnull\n{\"code\": \"B-2\", \"dims\": {\"w\": 2}}\n";
        let read = read(jsonl, DatasetFormat::JsonLines);
        assert_eq!(
            read.records,
            [
                json!({"code": "A-1", "price": 1.5}),
                json!({"code": "B-2", "dims": {"w": 2}}),
            ]
        );
        let rows = rejected(&read);
        assert_eq!(rows[0], (4, "an array where a record is an object"));
        assert_eq!(rows[1].0, 5);
        assert!(rows[1].1.starts_with("not valid JSON"));
        assert_eq!(rows[2], (6, "null where a record is an object"));
        let bytes = read_dataset(&b"{\"a\": \"\xff\"}\n"[..], DatasetFormat::JsonLines);
        assert_eq!(rejected(&bytes), [(1, "not valid UTF-8")]);
    }

    #[test]
    fn records_over_the_size_limit_are_rejected_in_every_format() {
        let big = "x".repeat(MAX_RECORD_BYTES);
        let csv = read(&format!("a;b\n1;{big}\n2;small\n"), DatasetFormat::Csv);
        let json = read(
            &format!("[{{\"a\": \"{big}\"}}, {{}}]"),
            DatasetFormat::Json,
        );
        let jsonl = read(
            &format!("{{}}\n{{\"a\": \"{big}\"}}\n"),
            DatasetFormat::JsonLines,
        );
        for (read, line) in [(csv, 2), (json, 1), (jsonl, 2)] {
            assert_eq!(read.records.len(), 1);
            assert_eq!(read.rejected.len(), 1);
            assert_eq!(read.rejected[0].line, line);
            assert!(
                read.rejected[0].reason.contains("over the limit"),
                "{read:?}"
            );
        }
    }

    #[test]
    fn a_reader_over_the_file_limit_is_refused_without_reading_it_all() {
        let Err(Failure::Refused(row)) = read_at_most(std::io::repeat(b' '), 1000) else {
            panic!("an endless reader was read whole");
        };
        assert_eq!(row.line, 1);
        assert!(
            row.reason.contains("over the limit of 1000 bytes"),
            "{row:?}"
        );
        assert!(read_at_most(&[b' '; 1000][..], 1000).is_ok());
    }

    #[test]
    fn read_errors_are_a_rejected_row_at_the_line_reached() {
        struct Failing(bool);
        impl Read for Failing {
            fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
                if std::mem::replace(&mut self.0, true) {
                    return Err(std::io::Error::other("disk gone"));
                }
                buffer[..4].copy_from_slice(b"a\nb\n");
                Ok(4)
            }
        }
        let read = read_dataset(Failing(false), DatasetFormat::Csv);
        assert_eq!(refusal(&read), (3, "the file could not be read: disk gone"));
    }

    #[test]
    fn files_are_read_by_extension_else_by_content_and_refusals_are_errors() {
        let dir = std::env::temp_dir().join(format!("dataset-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let jsonl = write("p.NDJSON", "{\"a\": 1}\n");
        assert_eq!(
            read_dataset_file(&jsonl).unwrap().records,
            [json!({"a": 1})]
        );
        let sniffed = write("p.txt", "  [{\"a\": 2}]");
        assert_eq!(
            read_dataset_file(&sniffed).unwrap().records,
            [json!({"a": 2})]
        );
        let csv = write("p", "a,b\n1,2\n");
        assert_eq!(
            read_dataset_file(&csv).unwrap().records,
            [json!({"a": "1", "b": "2"})]
        );
        let bad = write("bad.csv", "a;a\n");
        let error = read_dataset_file(&bad).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
        assert_eq!(
            error.to_string(),
            "line 1: the header names \"a\" twice (columns 1 and 2)"
        );
        let missing = read_dataset_file(&dir.join("missing.csv")).unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            DatasetFormat::sniff(b"\xef\xbb\xbf{}"),
            DatasetFormat::JsonLines
        );
    }
}
