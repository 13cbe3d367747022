//! The optional replay window on Rossum's signed `timestamp` body field.
//!
//! Rossum sends no timestamp header, but the body's `timestamp` is covered by the signature:
//! a captured delivery replayed later still verifies, yet its time gives it away.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// Seconds since the Unix epoch of an RFC 3339 time (`2026-11-20T09:41:17.612345Z`, or with
/// an offset such as `+01:00`); the fraction is dropped. `None` for anything else.
pub fn unix_seconds(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &b[19..];
    if let [b'.', fraction @ ..] = rest {
        let count = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if count == 0 {
            return None;
        }
        rest = &fraction[count..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (hours, minutes) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * 3600 + minutes * 60;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

fn digits(bytes: &[u8]) -> Option<i64> {
    bytes.iter().try_fold(0i64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
    })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
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
