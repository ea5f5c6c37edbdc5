//! Unix times as UTC calendar times, without a date library.

/// `secs` (Unix time) as RFC 3339 in UTC, to the second: `2026-01-31T08:00:00Z`.
pub fn rfc3339(secs: u64) -> String {
    let (y, m, d) = civil(secs / 86_400);
    let s = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// `secs` (Unix time) for people: `2026-01-31 08:00:00 UTC`.
pub fn human(secs: u64) -> String {
    rfc3339(secs).replacen('T', " ", 1).replace('Z', " UTC")
}

/// The (year, month, day) of a count of days since 1970-01-01 (Howard Hinnant's
/// civil_from_days).
fn civil(days: u64) -> (i128, i128, i128) {
    let z = i128::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i128::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn for_people() {
        assert_eq!(human(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(human(1_709_251_199), "2024-02-29 23:59:59 UTC");
    }

    #[test]
    fn known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        // A leap day, and the last second of a year.
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_599), "2025-12-31T23:59:59Z");
        assert_eq!(
            rfc3339(1_769_817_600 + 8 * 3600 + 61),
            "2026-01-31T08:01:01Z"
        );
    }
}
