//! When granted access ends.

use chrono::{DateTime, Days, Utc};

/// Returns the end of access that starts at `start` and lasts `duration_days` calendar days.
// NOTE: calendar days are counted in UTC; an installation time zone setting would move the
// day boundary to local midnight.
pub fn expires_at(start: DateTime<Utc>, duration_days: i32) -> DateTime<Utc> {
    let days = u64::try_from(duration_days.max(0)).unwrap_or(0);
    start.checked_add_days(Days::new(days)).unwrap_or(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn thirty_days_across_month_end() {
        let start = Utc.with_ymd_and_hms(2026, 1, 15, 9, 30, 0).unwrap();
        let end = expires_at(start, 30);
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 2, 14, 9, 30, 0).unwrap());
    }
}
