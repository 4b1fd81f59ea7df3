use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::tokens::ApiToken;
use web_sys::js_sys::Date;

/// The state of an API token as the list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    Active,
    Expired,
    Revoked,
}

impl TokenStatus {
    /// Derives the status from the token's times. The server rejects a token from its
    /// `expires_at` on, so a token that expires at `now` is already expired.
    pub fn of(token: &ApiToken, now: DateTime<Utc>) -> Self {
        if token.revoked_at.is_some() {
            TokenStatus::Revoked
        } else if token.expires_at <= now {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenStatus::Active => "Active",
            TokenStatus::Expired => "Expired",
            TokenStatus::Revoked => "Revoked",
        }
    }

    fn badge_class(self) -> &'static str {
        match self {
            TokenStatus::Active => "badge badge-active",
            TokenStatus::Expired => "badge badge-closed",
            TokenStatus::Revoked => "badge badge-failed",
        }
    }
}

/// Returns the browser's current time. `Utc::now` panics on wasm32-unknown-unknown, because
/// chrono reads the clock there only with its `wasmbind` feature.
// NOTE: a browser clock that runs wrong shows a token as Active or Expired too early or too
// late. The server decides with its own clock.
pub fn browser_now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(Date::now() as i64).unwrap_or_default()
}

/// Renders "Active", "Expired" or "Revoked" as a badge.
#[component]
pub fn TokenStatusBadge(status: TokenStatus) -> impl IntoView {
    view! { <span class=status.badge_class()>{status.label()}</span> }
}
