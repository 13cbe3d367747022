//! What is recorded: export records, status changes, received emails, and their timestamps.

use std::fmt;

use aws_sdk_dynamodb::primitives::{DateTime, DateTimeFormat};

/// An RFC 3339 instant in one canonical spelling: UTC, microseconds, `Z`
/// (`2026-11-20T09:38:09.204518Z`).
///
/// Canonical so that comparing two timestamps as strings compares them as instants: the
/// latest-status condition and the order of history sort keys rely on it ("09.2Z" sorts
/// after "09.204518Z" as text, and an offset would not sort at all).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    canonical: String,
    epoch_seconds: i64,
}

/// A timestamp that is not an RFC 3339 date-time between the years 1 and 9999.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError(pub String);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for TimestampError {}

impl Timestamp {
    /// Reads an RFC 3339 date-time, with `Z` or an offset; sub-microsecond digits are dropped.
    ///
    /// Read by `time`'s RFC 3339 parser, with `T` or `t` between the date and the time (RFC
    /// 3339's grammar; `time` takes any character there) and surrounding whitespace ignored:
    /// exactly the texts the replay window's `webhook_verify::unix_seconds` reads. A leap second
    /// (`:60`) is read only as the last second of a month in UTC, as `:59.999999`.
    pub fn parse(raw: &str) -> Result<Self, TimestampError> {
        let invalid =
            |why: String| TimestampError(format!("{raw:?} is not an RFC 3339 timestamp: {why}"));
        let parsed = webhook_verify::parse_rfc3339(raw).map_err(invalid)?;
        Self::from_date_time(DateTime::from_secs_and_nanos(
            parsed.unix_timestamp(),
            parsed.nanosecond(),
        ))
        .map_err(invalid)
    }

    /// The `timestamp` a delivery was sent at, required: `what` names the delivery in the
    /// error when it is missing.
    pub fn of_delivery(raw: Option<&str>, what: &str) -> Result<Self, String> {
        let raw = raw.ok_or_else(|| format!("{what} without 'timestamp'"))?;
        Self::parse(raw).map_err(|e| format!("'timestamp': {e}"))
    }

    /// The current time (for events that carry none, such as Inkit's).
    pub fn now() -> Self {
        Self::from_date_time(DateTime::from(std::time::SystemTime::now()))
            .expect("the clock is within the years 0001..9999")
    }

    fn from_date_time(at: DateTime) -> Result<Self, String> {
        let epoch_seconds = at.secs();
        let micros = at.subsec_nanos() / 1_000;
        let whole = DateTime::from_secs(epoch_seconds)
            .fmt(DateTimeFormat::DateTime)
            .map_err(|e| e.to_string())?;
        // `whole` is `YYYY-MM-DDTHH:MM:SSZ` (no fraction for whole seconds).
        let seconds = whole.strip_suffix('Z').unwrap_or(&whole);
        if seconds.len() != 19 {
            return Err("the year is outside 0001..9999".to_owned());
        }
        Ok(Self {
            canonical: format!("{seconds}.{micros:06}Z"),
            epoch_seconds,
        })
    }

    /// The canonical spelling, as stored.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    /// Seconds since the Unix epoch (what DynamoDB's TTL reads).
    pub fn epoch_seconds(&self) -> i64 {
        self.epoch_seconds
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

/// An amount as the document shows it, and as a number where it could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Amount {
    /// The datapoint's value as extracted or typed ("3 085,08").
    pub raw: String,
    /// The value as a number (Rossum's `normalized_value`, else the raw value read), when it
    /// could be read and is finite.
    pub value: Option<f64>,
}

/// What an ERP picks up for one exported annotation.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRecord {
    pub annotation_id: u64,
    pub document_id: Option<u64>,
    /// The master-data vendor id the annotation was matched to.
    pub vendor_id: String,
    pub amount_total: Option<Amount>,
    pub amount_total_tax: Option<Amount>,
    pub amount_total_base: Option<Amount>,
    /// ISO 4217 code, upper case.
    pub currency: Option<String>,
    /// When Rossum sent the export event.
    pub exported_at: Timestamp,
    /// The delivery that wrote the record.
    pub request_id: String,
}

/// One transition of an annotation's status (`annotation_status.changed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub annotation_id: u64,
    /// The annotation's queue, as Rossum sent it (a URL).
    pub queue: Option<String>,
    /// `None` for the first status of an annotation.
    pub previous_status: Option<String>,
    pub status: String,
    /// When Rossum sent the event.
    pub changed_at: Timestamp,
    /// The delivery that reported it.
    pub request_id: String,
    /// What identifies the change whatever delivery reports it: a digest of the annotation as
    /// Rossum sent it. Rossum's reference does not promise that a retry keeps `request_id` or
    /// `timestamp`, so a retry with new ones is still the same change, recorded once.
    pub transition: String,
}

/// The metadata of one email that arrived in a queue's inbox (`email.received`), recorded
/// once per email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailRecord {
    /// The email's URL, as Rossum sent it (`email`): the identity of the email.
    pub email_url: String,
    /// The trailing number of `email_url` ([`EmailRecord::id_from_url`]); the key when
    /// present, else the URL is.
    pub email_id: Option<u64>,
    /// The queue whose inbox received the email (a URL).
    pub queue: Option<String>,
    /// The email's own headers, as sent.
    pub from: Option<String>,
    pub to: Option<String>,
    pub reply_to: Option<String>,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    /// The `Date` header, as sent (RFC 5322, not normalised).
    pub date: Option<String>,
    /// When Rossum sent the event.
    pub received_at: Timestamp,
    /// The delivery that wrote the record.
    pub request_id: String,
    /// The email's attachments.
    pub files_total: u64,
    /// The ids of the attachments kept for import, in the order answered.
    pub files_imported: Vec<String>,
    /// How many attachments were left out.
    pub files_dropped: u64,
    /// The sender of the forwarded message, when one was found.
    pub extracted_original_sender_email: Option<String>,
    pub extracted_original_sender_name: Option<String>,
}

impl EmailRecord {
    /// The trailing number of an email URL
    /// (`https://example.rossum.app/api/v1/emails/1204418` gives 1204418).
    pub fn id_from_url(email_url: &str) -> Option<u64> {
        let last = email_url.trim().trim_end_matches('/').rsplit('/').next()?;
        if last.is_empty() || !last.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        last.parse().ok()
    }

    /// The partition key of the email's item: `EMAIL#<email_id>`, else `EMAIL#<email_url>`.
    pub fn key(&self) -> String {
        match self.email_id {
            Some(id) => format!("{EMAIL_KEY_PREFIX}{id}"),
            None => format!("{EMAIL_KEY_PREFIX}{}", self.email_url),
        }
    }

    /// The key of the email at `email_url`, as [`EmailRecord::key`] makes it with the id
    /// taken from the URL.
    pub fn key_of_url(email_url: &str) -> String {
        match Self::id_from_url(email_url) {
            Some(id) => format!("{EMAIL_KEY_PREFIX}{id}"),
            None => format!("{EMAIL_KEY_PREFIX}{email_url}"),
        }
    }
}

const EMAIL_KEY_PREFIX: &str = "EMAIL#";

#[cfg(test)]
mod tests {
    use super::{EmailRecord, Timestamp};

    #[test]
    fn an_email_is_keyed_by_the_trailing_number_of_its_url() {
        for (url, id) in [
            (
                "https://example.rossum.app/api/v1/emails/1204418",
                Some(1204418),
            ),
            (
                "https://example.rossum.app/api/v1/emails/1204418/",
                Some(1204418),
            ),
            ("https://example.rossum.app/api/v1/emails/", None),
            ("https://example.rossum.app/api/v1/emails/abc", None),
            ("https://example.rossum.app/api/v1/emails/+12", None),
            ("", None),
        ] {
            assert_eq!(EmailRecord::id_from_url(url), id, "{url}");
        }
        assert_eq!(
            EmailRecord::key_of_url("https://example.rossum.app/api/v1/emails/1204418"),
            "EMAIL#1204418"
        );
        assert_eq!(EmailRecord::key_of_url("mailbox:abc"), "EMAIL#mailbox:abc");
    }

    #[test]
    fn timestamps_are_canonical_utc_microseconds() {
        for (raw, canonical) in [
            ("2026-11-20T09:38:09.204518Z", "2026-11-20T09:38:09.204518Z"),
            ("2026-11-20T09:38:09.2Z", "2026-11-20T09:38:09.200000Z"),
            ("2026-11-20T09:38:09Z", "2026-11-20T09:38:09.000000Z"),
            ("2026-11-20T10:38:09.5+01:00", "2026-11-20T09:38:09.500000Z"),
            (
                "2026-11-20T09:38:09.123456789Z",
                "2026-11-20T09:38:09.123456Z",
            ),
        ] {
            assert_eq!(Timestamp::parse(raw).unwrap().as_str(), canonical, "{raw}");
        }
        assert_eq!(
            Timestamp::parse("1970-01-01T00:01:00Z")
                .unwrap()
                .epoch_seconds(),
            60
        );
    }

    #[test]
    fn now_is_canonical() {
        let now = Timestamp::now();
        assert_eq!(Timestamp::parse(now.as_str()).unwrap(), now);
        assert_eq!(now.as_str().len(), "2026-11-20T09:38:09.204518Z".len());
        assert!(now.as_str() > "2020-01-01");
    }

    #[test]
    fn canonical_timestamps_order_as_text_and_as_instants_alike() {
        let earlier = Timestamp::parse("2026-11-20T09:38:09.2Z").unwrap();
        let later = Timestamp::parse("2026-11-20T09:38:09.204518Z").unwrap();
        assert!(earlier.as_str() < later.as_str());
    }

    /// The edge cases of RFC 3339, and whether the records and the replay window (which share
    /// their reader, `webhook_verify::parse_rfc3339`, but not their range checks) read them.
    const EDGE_CASES: [(&str, bool); 27] = [
        ("2016-12-31T23:59:60Z", true),
        ("2017-01-01T00:59:60+01:00", true),
        ("2026-06-30T23:59:60Z", true),
        ("2026-11-20T12:00:60Z", false),
        ("2026-11-20T23:59:61Z", false),
        ("2026-11-20 09:41:17Z", false),
        ("2026-11-20_09:41:17Z", false),
        ("2026-11-20t09:41:17z", true),
        ("2026-11-20T09:41:17z", true),
        ("2026-11-20T10:41:17+01:00", true),
        ("2026-11-20T04:11:17-05:30", true),
        ("2026-11-20T09:41:17-00:00", true),
        ("2026-11-20T09:41:17+23:59", true),
        ("2026-11-20T09:41:17+24:00", false),
        ("2026-11-20T09:41:17+01:60", false),
        ("2026-11-20T09:41:17+0100", false),
        ("2026-11-20T09:41:17", false),
        ("2026-11-20T09:41:17.1Z", true),
        ("2026-11-20T09:41:17.123456789Z", true),
        ("2026-11-20T09:41:17.123456789012Z", true),
        ("2026-11-20T09:41:17.Z", false),
        (" 2026-11-20T09:41:17Z\n", true),
        ("0001-01-01T00:00:00Z", true),
        ("0001-01-01T00:00:00+00:01", false),
        ("0000-12-31T23:59:59Z", false),
        ("9999-12-31T23:59:59.999999999Z", true),
        ("9999-12-31T23:59:59-00:01", false),
    ];

    #[test]
    fn the_replay_window_reads_exactly_the_timestamps_the_records_read() {
        for (text, readable) in EDGE_CASES {
            let record = Timestamp::parse(text);
            assert_eq!(record.is_ok(), readable, "{text:?}: {record:?}");
            assert_eq!(
                webhook_verify::unix_seconds(text),
                record.as_ref().ok().map(Timestamp::epoch_seconds),
                "{text:?}"
            );
        }
        for (raw, canonical) in [
            ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59.999999Z"),
            ("2017-01-01T00:59:60+01:00", "2016-12-31T23:59:59.999999Z"),
            ("2026-11-20t09:41:17.1z", "2026-11-20T09:41:17.100000Z"),
            ("2026-11-20T04:11:17-05:30", "2026-11-20T09:41:17.000000Z"),
            (
                "2026-11-20T09:41:17.123456789012Z",
                "2026-11-20T09:41:17.123456Z",
            ),
        ] {
            assert_eq!(Timestamp::parse(raw).unwrap().as_str(), canonical, "{raw}");
        }
    }

    #[test]
    fn what_is_not_rfc_3339_is_refused() {
        for raw in [
            "",
            "yesterday",
            "2026-11-20",
            "2026-11-20 09:38:09Z",
            "2026-13-01T00:00:00Z",
        ] {
            assert!(Timestamp::parse(raw).is_err(), "{raw}");
        }
    }
}
