//! Text for dates and durations, in the browser's local time zone.

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use wasm_bindgen::JsValue;
use web_sys::js_sys::Date;

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
