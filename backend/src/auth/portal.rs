//! The signed-in portal user as a handler parameter.

use super::Actor;
use super::session::{self, CSRF_HEADER, PORTAL_COOKIE, PortalCookie};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::portal_users::PortalUserRow;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::PrivateCookieJar;

pub struct PortalUser {
    pub user: PortalUserRow,
    pub csrf: String,
    pub actor: Actor,
}

impl FromRequestParts<AppState> for PortalUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let jar: PrivateCookieJar = PrivateCookieJar::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::Unauthenticated("Sign in to the portal first.".into()))?;
        let cookie: PortalCookie = session::read(&jar, PORTAL_COOKIE)
            .ok_or_else(|| ApiError::Unauthenticated("Sign in to the portal first.".into()))?;
        if session::expired(cookie.issued_at, state.clock.now()) {
            return Err(ApiError::Unauthenticated(
                "Your session has expired; sign in again.".into(),
            ));
        }

        if session::is_write(&parts.method) {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if !session::csrf_matches(sent, &cookie.csrf) {
                return Err(ApiError::Forbidden(
                    "Missing or invalid X-CSRF-Token header; reload the page and try again.".into(),
                ));
            }
        }

        let user = crate::store::portal_users::find(&state.db, cookie.user_id)
            .await?
            .ok_or_else(|| ApiError::Unauthenticated("Sign in to the portal again.".into()))?;
        Ok(PortalUser {
            actor: Actor::portal_user(&user.email),
            csrf: cookie.csrf,
            user,
        })
    }
}
