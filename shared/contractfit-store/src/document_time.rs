//! The document's own time: what decides whether a document arriving after its deletion is
//! newer than the deletion.

use record_store::Timestamp;
use serde_json::Value;

/// The fields of contract.fit's document JSON (`DocumentModelGet`) that hold a time at which
/// contract.fit did something with the document: its `timings` and the `since` of its states.
pub const DOCUMENT_TIME_FIELDS: [[&str; 2]; 8] = [
    ["timings", "receive_time"],
    ["timings", "start_time"],
    ["timings", "done_time"],
    ["timings", "feedback_time"],
    ["submitted", "since"],
    ["reject", "since"],
    ["escalate", "since"],
    ["lock", "since"],
];

/// The latest of the document's [`DOCUMENT_TIME_FIELDS`] that holds a readable time, or
/// `None` when none does.
pub fn document_time(document: &Value) -> Option<Timestamp> {
    DOCUMENT_TIME_FIELDS
        .iter()
        .filter_map(|[outer, inner]| document.get(outer)?.get(inner)?.as_str())
        .filter_map(parse_document_time)
        .max()
}

/// Reads a time as contract.fit's API writes it: RFC 3339, or ISO 8601 without an offset
/// (Python's `isoformat()` of a naive time, `2020-03-24T13:52:17.123456`, or with a space
/// for `T`), which is taken as UTC.
pub fn parse_document_time(raw: &str) -> Option<Timestamp> {
    let raw = raw.trim();
    let spelled = match raw.as_bytes().get(10) {
        Some(b' ') => format!("{}T{}", &raw[..10], &raw[11..]),
        _ => raw.to_owned(),
    };
    if let Ok(time) = Timestamp::parse(&spelled) {
        return Some(time);
    }
    let clock = spelled.get(11..)?;
    let has_offset = clock.contains(['Z', 'z', '+', '-']);
    if has_offset {
        return None;
    }
    Timestamp::parse(&format!("{spelled}Z")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_forms_contract_fit_writes_are_read() {
        for (raw, expected) in [
            ("2026-11-20T09:52:44.118204Z", "2026-11-20T09:52:44.118204Z"),
            ("2026-11-20T10:52:44+01:00", "2026-11-20T09:52:44.000000Z"),
            ("2026-11-20T09:52:44.118204", "2026-11-20T09:52:44.118204Z"),
            ("2026-11-20 09:52:44", "2026-11-20T09:52:44.000000Z"),
            (" 2026-11-20T09:52:44 ", "2026-11-20T09:52:44.000000Z"),
        ] {
            assert_eq!(
                parse_document_time(raw).map(|t| t.to_string()).as_deref(),
                Some(expected),
                "{raw}"
            );
        }
        for raw in [
            "",
            "yesterday",
            "2026-11-20",
            "2026-11-20T25:00:00",
            "2026-11-20T09:52:44+1",
        ] {
            assert_eq!(parse_document_time(raw), None, "{raw}");
        }
    }

    #[test]
    fn the_latest_readable_time_of_the_document_counts() {
        let document = json!({
            "id": "5e7a0df1800de5422a6f7776",
            "timings": {"receive_time": "2026-11-20T09:00:00", "done_time": "2026-11-20T09:05:00",
                        "processing_period": 300.0, "feedback_time": "not a time"},
            "submitted": {"value": true, "since": "2026-11-21T08:00:00+00:00"},
            "lock": {"value": false, "since": null}
        });
        assert_eq!(
            document_time(&document).unwrap().as_str(),
            "2026-11-21T08:00:00.000000Z"
        );
        assert_eq!(document_time(&json!({"id": "x", "timings": {}})), None);
        assert_eq!(document_time(&json!({"id": "x", "timings": "soon"})), None);
    }
}
