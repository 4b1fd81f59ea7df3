//! Session cookies. Each is encrypted and signed with a key derived from `API_SECRET_KEY`
//! (`PrivateCookieJar`), so any replica can read it and nobody can read or forge it.

use axum_extra::extract::PrivateCookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use uuid::Uuid;

pub const ADMIN_COOKIE: &str = "xp_session";
pub const PORTAL_COOKIE: &str = "xp_portal";
pub const OIDC_FLOW_COOKIE: &str = "xp_oidc";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How long a portal session lasts from sign-in, and how long browsers keep any session
/// cookie. Admin sessions follow the security settings within this limit.
pub const SESSION_ABSOLUTE_HOURS: i64 = 12;
/// How long browsers keep a session cookie: the longest admin session the settings allow.
const COOKIE_MAX_AGE_HOURS: i64 = 168;

/// The contents of the admin session cookie.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdminCookie {
    /// Absent for a session opened with the legacy admin key.
    pub user_id: Option<Uuid>,
    /// The server-side record of this session, which sign-out and idle time end.
    pub session_id: Uuid,
    pub epoch: i32,
    pub csrf: String,
    pub issued_at: DateTime<Utc>,
    /// For a legacy key session: a fingerprint of the key it was opened with, so that a new
    /// `ADMIN_API_KEY` ends it.
    #[serde(default)]
    pub key_tag: Option<String>,
}

/// The contents of the portal session cookie.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PortalCookie {
    pub user_id: Uuid,
    pub csrf: String,
    pub issued_at: DateTime<Utc>,
}

pub fn expired(issued_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - issued_at > Duration::hours(SESSION_ABSOLUTE_HOURS) || issued_at > now
}

/// Builds a session cookie: HttpOnly, SameSite=Lax, Secure when served over https.
pub fn build_cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(time_hours(COOKIE_MAX_AGE_HOURS))
        .build()
}

fn time_hours(hours: i64) -> time::Duration {
    time::Duration::hours(hours)
}

pub fn read<T: for<'de> Deserialize<'de>>(jar: &PrivateCookieJar, name: &str) -> Option<T> {
    let cookie = jar.get(name)?;
    serde_json::from_str(cookie.value()).ok()
}

pub fn write<T: Serialize>(
    jar: PrivateCookieJar,
    name: &'static str,
    value: &T,
    secure: bool,
) -> PrivateCookieJar {
    let json = serde_json::to_string(value).expect("session cookies serialize");
    jar.add(build_cookie(name, json, secure))
}

pub fn clear(jar: PrivateCookieJar, name: &'static str) -> PrivateCookieJar {
    jar.remove(Cookie::build(name).path("/").build())
}

/// Compares a CSRF token from a header with the session's, in constant time.
pub fn csrf_matches(sent: Option<&str>, expected: &str) -> bool {
    match sent {
        Some(sent) => bool::from(sent.as_bytes().ct_eq(expected.as_bytes())),
        None => false,
    }
}

/// Whether a request method changes state and so needs the CSRF header.
pub fn is_write(method: &axum::http::Method) -> bool {
    !matches!(
        *method,
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    )
}
