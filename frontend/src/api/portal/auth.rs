//! Calls that find out whether and how someone can sign in to the portal. A 401 response here is
//! an expected outcome, so these calls do not go through [`super::PortalApi`].

use shared::auth::{PortalAuthStatus, PortalSession};

use crate::api::{ApiError, http};

pub async fn auth_status() -> Result<PortalAuthStatus, ApiError> {
    http::get_json("/api/v1/portal/auth").await
}

/// Fetches the current session. A 401 response means no one is signed in.
pub async fn current_session() -> Result<PortalSession, ApiError> {
    http::get_json("/api/v1/portal/session").await
}
