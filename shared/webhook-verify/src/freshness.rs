//! The optional replay window on Rossum's signed `timestamp` body field.
//!
//! Rossum sends no timestamp header, but the body's `timestamp` is covered by the signature:
//! a captured delivery replayed later still verifies, yet its time gives it away.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::VerifyError;

/// How far ahead of this clock a delivery's time may be before it is refused.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// Checks a verified delivery's `timestamp` (RFC 3339) against `now`: refused when it is
/// missing or unreadable, older than `max_age`, or more than [`MAX_CLOCK_SKEW`] ahead.
pub fn check_event_time(
    timestamp: Option<&str>,
    now: SystemTime,
    max_age: Duration,
) -> Result<(), VerifyError> {
    let event = timestamp.and_then(unix_seconds).ok_or(VerifyError::Stale {
        reason: "the body has no readable 'timestamp'",
    })?;
    let now = match now.duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    };
    let seconds = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    if now.saturating_sub(event) > seconds(max_age) {
        return Err(VerifyError::Stale {
            reason: "the delivery's 'timestamp' is older than the replay window",
        });
    }
    if event.saturating_sub(now) > seconds(MAX_CLOCK_SKEW) {
        return Err(VerifyError::Stale {
            reason: "the delivery's 'timestamp' is in the future",
        });
    }
    Ok(())
}

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years an RFC 3339 time spells in UTC.
const FIRST_SECOND: i64 = -62_135_596_800;
const LAST_SECOND: i64 = 253_402_300_799;

/// Seconds since the Unix epoch of an RFC 3339 time (`2026-11-20T09:41:17.612345Z`, or with
/// an offset such as `+01:00`); the fraction is dropped. `None` for anything else.
///
/// Read by `time`'s RFC 3339 parser, with `T` or `t` between the date and the time (RFC 3339's
/// grammar; `time` takes any character there), surrounding whitespace ignored and the instant
/// between the years 1 and 9999 in UTC: exactly the texts the records' `Timestamp::parse`
/// (record-store) reads. A leap second (`:60`) is read only as the last second of a month in
/// UTC, as the instant just before the next minute.
pub fn unix_seconds(text: &str) -> Option<i64> {
    let seconds = parse_rfc3339(text).ok()?.unix_timestamp();
    (FIRST_SECOND..=LAST_SECOND)
        .contains(&seconds)
        .then_some(seconds)
}

/// An RFC 3339 time as the replay window and the records (record-store's `Timestamp::parse`)
/// both read it: `time`'s parser, surrounding whitespace ignored, and `T` or `t` required
/// between the date and the time (RFC 3339's grammar; `time` takes any character there). The
/// error says why the text is not one.
pub fn parse_rfc3339(text: &str) -> Result<OffsetDateTime, String> {
    let text = text.trim();
    if text.len() > 10 && !matches!(text.as_bytes()[10], b'T' | b't') {
        return Err("the date and the time are separated by `T`".to_owned());
    }
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(900);

    fn at(text: &str) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(unix_seconds(text).unwrap() as u64)
    }

    #[test]
    fn reads_rossums_timestamps_and_offsets() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            unix_seconds("2026-11-20T09:41:17.612345Z"),
            Some(1_795_167_677)
        );
        assert_eq!(
            unix_seconds("2026-11-20T10:41:17+01:00"),
            unix_seconds("2026-11-20T09:41:17Z")
        );
        assert_eq!(unix_seconds("2024-02-29T00:00:00Z"), Some(1_709_164_800));
    }

    #[test]
    fn refuses_what_is_not_an_rfc_3339_time() {
        for text in [
            "",
            "yesterday",
            "2026-11-20",
            "2026-11-20T09:41:17",
            "2026-11-20T09:41:17.Z",
            "2026-13-20T09:41:17Z",
            "2025-02-29T09:41:17Z",
            "2026-11-20T24:00:00Z",
            "2026-11-20T09:41:17+25:00",
            "2026-11-20T09:41:17Z trailing",
            "+2026-11-20T09:41:17Z",
            "2026-11-20T09:41:1٧Z",
        ] {
            assert_eq!(unix_seconds(text), None, "{text:?}");
        }
    }

    /// Which edge cases of RFC 3339 are read, by this and by the records, is one list:
    /// record-store's `the_replay_window_reads_exactly_the_timestamps_the_records_read`.
    #[test]
    fn leap_seconds_fractions_and_the_first_and_last_second() {
        // A leap second is the instant before the next minute; a fraction is dropped.
        assert_eq!(
            unix_seconds("2016-12-31T23:59:60Z"),
            unix_seconds("2016-12-31T23:59:59Z")
        );
        assert_eq!(
            unix_seconds("2026-11-20T09:41:17.999999999Z"),
            unix_seconds("2026-11-20T09:41:17Z")
        );
        assert_eq!(unix_seconds("0001-01-01T00:00:00Z"), Some(FIRST_SECOND));
        assert_eq!(unix_seconds("9999-12-31T23:59:59Z"), Some(LAST_SECOND));
    }

    #[test]
    fn fresh_is_accepted_and_old_future_or_missing_are_stale() {
        let now = at("2026-11-20T10:00:00Z");
        assert_eq!(
            check_event_time(Some("2026-11-20T09:50:00.5Z"), now, WINDOW),
            Ok(())
        );
        // A little ahead of this clock is skew, not an attack.
        assert_eq!(
            check_event_time(Some("2026-11-20T10:04:00Z"), now, WINDOW),
            Ok(())
        );
        for (timestamp, what) in [
            (Some("2026-11-20T09:44:59Z"), "older"),
            (Some("2026-11-20T10:05:01Z"), "future"),
            (Some("not a time"), "readable"),
            (None, "readable"),
        ] {
            match check_event_time(timestamp, now, WINDOW) {
                Err(VerifyError::Stale { reason }) => {
                    assert!(reason.contains(what), "{timestamp:?}: {reason}")
                }
                other => panic!("{timestamp:?}: {other:?}"),
            }
        }
    }
}
