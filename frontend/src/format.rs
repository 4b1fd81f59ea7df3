//! Text for dates and durations, in the browser's local time zone.

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use shared::catalog::MonthlyCost;
use shared::orders::Person;
use wasm_bindgen::JsValue;
use web_sys::js_sys::Date;

use crate::forms::format_amount;

/// Formats `at` as `YYYY-MM-DD HH:MM` in the browser's local time zone.
pub fn local_date_time(at: DateTime<Utc>) -> String {
    // JavaScript's Date uses the browser's time zone. chrono's `Local` has no time zone data on
    // wasm32-unknown-unknown without its `wasmbind` feature.
    let millis = at.timestamp_millis() as f64;
    let date = Date::new(&JsValue::from_f64(millis));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// Parses the value of a `datetime-local` input (`YYYY-MM-DDTHH:MM`, with optional seconds)
/// as a time in the browser's local time zone. Returns `None` for any other text.
pub fn parse_local_date_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let local = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())?;
    let year = u32::try_from(local.year()).ok()?;
    // JavaScript's Date counts months from 0 and applies the browser's time zone, including
    // its daylight saving rules for that date.
    let date = Date::new_with_year_month_day_hr_min_sec(
        year,
        local.month0() as i32,
        local.day() as i32,
        local.hour() as i32,
        local.minute() as i32,
        local.second() as i32,
    );
    if year < 100 {
        // The constructor reads years 0 to 99 as 1900 to 1999.
        date.set_full_year(year);
    }
    let millis = date.get_time();
    if millis.is_nan() {
        return None;
    }
    DateTime::from_timestamp_millis(millis as i64)
}

/// Returns the browser's current time. `Utc::now` panics on wasm32-unknown-unknown, because
/// chrono reads the clock there only with its `wasmbind` feature.
// NOTE: a browser clock that runs wrong shows a token as Active or Expired too early or too
// late. The server decides with its own clock.
pub fn browser_now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(Date::now() as i64).unwrap_or_default()
}

/// Formats an optional time, with a dash when it is absent.
pub fn optional_date_time(at: Option<DateTime<Utc>>) -> String {
    at.map(local_date_time).unwrap_or_else(|| "—".to_string())
}

pub fn days(count: i32) -> String {
    if count == 1 {
        "1 day".to_string()
    } else {
        format!("{count} days")
    }
}

/// Formats a monthly cost such as "EUR 45.00 per month".
pub fn monthly_cost(cost: &MonthlyCost) -> String {
    format!(
        "{} {} per month",
        cost.currency,
        format_amount(cost.amount_minor, &cost.currency)
    )
}

/// Describes whom an approval was meant for when a delegation or separation of duties sent it
/// to someone else, such as "instead of Martha Finch: out of office".
pub fn instead_of(original: Option<&Person>, note: Option<&str>) -> Option<String> {
    let original = original?;
    Some(match note.map(str::trim).filter(|note| !note.is_empty()) {
        Some(note) => format!("instead of {}: {note}", original.display_name),
        None => format!("instead of {}", original.display_name),
    })
}

/// Formats the time between `from` and `to` as "45 s", "3 min 4 s" or "2 h 5 min", or a dash
/// while either is missing.
pub fn elapsed(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> String {
    let (Some(from), Some(to)) = (from, to) else {
        return "—".to_string();
    };
    let seconds = (to - from).num_seconds().max(0);
    let (hours, minutes) = (seconds / 3600, seconds % 3600 / 60);
    if hours > 0 {
        format!("{hours} h {minutes} min")
    } else if minutes > 0 {
        format!("{minutes} min {} s", seconds % 60)
    } else {
        format!("{seconds} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_uses_the_largest_units() {
        let start = DateTime::from_timestamp(1_000_000, 0);
        let after = |seconds: i64| DateTime::from_timestamp(1_000_000 + seconds, 0);
        assert_eq!(elapsed(start, after(0)), "0 s");
        assert_eq!(elapsed(start, after(45)), "45 s");
        assert_eq!(elapsed(start, after(184)), "3 min 4 s");
        assert_eq!(elapsed(start, after(7_500)), "2 h 5 min");
        assert_eq!(elapsed(start, None), "—");
        assert_eq!(elapsed(after(10), start), "0 s");
    }
}
