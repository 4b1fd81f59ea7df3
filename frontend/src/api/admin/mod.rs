//! The admin API. Every call made through [`AdminApi`] sends the session's CSRF token on
//! writes, and a 401 response moves the SPA back to the sign-in form.

mod account;
mod approvals;
mod audit;
pub mod auth;
pub mod backups;
mod channels;
mod definitions;
mod general;
mod health;
mod jobs;
mod license;
mod mail_templates;
mod orders;
mod pool;
mod runbook_variables;
mod runbooks;
mod scripts;
mod security;
mod settings;
mod tokens;
mod users;

pub use audit::AuditFilter;
pub use channels::ChatService;
pub use jobs::JobFilter;
pub use orders::OrderFilter;
pub use pool::PoolFilter;

use gloo_net::http::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{ApiError, http};
use crate::state::AdminAuth;

/// The client for admin endpoints that need a signed-in session.
#[derive(Debug, Clone, Copy)]
pub struct AdminApi {
    auth: AdminAuth,
}

impl AdminApi {
    pub fn new(auth: AdminAuth) -> Self {
        Self { auth }
    }

    async fn get<T: DeserializeOwned>(self, url: &str) -> Result<T, ApiError> {
        let result = http::get_json(url).await;
        self.sign_out_on_401(result)
    }

    async fn post<B, T>(self, url: &str, body: Option<&B>) -> Result<T, ApiError>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        self.write(Method::POST, url, body).await
    }

    async fn put<B, T>(self, url: &str, body: &B) -> Result<T, ApiError>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        self.write(Method::PUT, url, Some(body)).await
    }

    async fn delete<T: DeserializeOwned>(self, url: &str) -> Result<T, ApiError> {
        self.write::<(), T>(Method::DELETE, url, None).await
    }

    async fn write<B, T>(self, method: Method, url: &str, body: Option<&B>) -> Result<T, ApiError>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let csrf_token = self.auth.csrf_token_untracked();
        let result = http::send_json(method, url, body, csrf_token.as_deref()).await;
        self.sign_out_on_401(result)
    }

    fn sign_out_on_401<T>(self, result: Result<T, ApiError>) -> Result<T, ApiError> {
        if let Err(error) = &result
            && error.is_unauthorized()
        {
            self.auth.sign_out();
        }
        result
    }

    /// Ends the session on the server, then clears it locally.
    pub async fn logout(self) -> Result<(), ApiError> {
        let result = self.post::<(), ()>("/api/v1/auth/logout", None).await;
        self.auth.sign_out();
        result
    }
}
