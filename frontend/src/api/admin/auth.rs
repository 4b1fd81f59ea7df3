//! Calls made before a session exists, or to find out whether one does. A 401 response here is
//! an expected outcome, so these calls do not go through [`super::AdminApi`].

use gloo_net::http::Method;
use shared::auth::{AdminSession, Credentials, SetupStatus};

use crate::api::{ApiError, http};

pub use shared::problem::TOTP_REQUIRED_TYPE as TOTP_REQUIRED_PROBLEM;

pub async fn setup_status() -> Result<SetupStatus, ApiError> {
    http::get_json("/api/v1/setup").await
}

/// Creates the first administrator and signs them in. The server responds 409 once one exists.
pub async fn create_first_admin(credentials: &Credentials) -> Result<AdminSession, ApiError> {
    http::send_json(
        Method::POST,
        "/api/v1/setup/first-admin",
        Some(credentials),
        None,
    )
    .await
}

/// Signs in. The server responds 401 to wrong credentials, to a wrong or reused `totp_code`,
/// and with [`TOTP_REQUIRED_PROBLEM`] when the account needs a `totp_code` that is missing. It
/// responds 429 with `Retry-After` after too many attempts.
pub async fn login(credentials: &Credentials) -> Result<AdminSession, ApiError> {
    http::send_json(Method::POST, "/api/v1/auth/login", Some(credentials), None).await
}

/// Fetches the current session. A 401 response means no one is signed in.
pub async fn current_session() -> Result<AdminSession, ApiError> {
    http::get_json("/api/v1/auth/session").await
}

/// Returns whether a sign-in failed only because the account needs a second factor.
pub fn needs_totp_code(error: &ApiError) -> bool {
    error.is_unauthorized() && error.problem.kind == TOTP_REQUIRED_PROBLEM
}
