//! Text for dates and durations, in the browser's local time zone.

use chrono::{DateTime, Utc};
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
