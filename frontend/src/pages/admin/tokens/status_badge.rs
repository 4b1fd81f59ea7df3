use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::tokens::ApiToken;

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

/// Renders "Active", "Expired" or "Revoked" as a badge.
#[component]
pub fn TokenStatusBadge(status: TokenStatus) -> impl IntoView {
    view! { <span class=status.badge_class()>{status.label()}</span> }
}
