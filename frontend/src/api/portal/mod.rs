//! The portal API. Every call made through [`PortalApi`] sends the session's CSRF token on
//! writes, and a 401 response moves the portal back to its sign-in page.

mod approvals;
pub mod auth;
mod catalog;
mod orders;

pub use approvals::InboxState;
pub use catalog::CatalogFilter;

use gloo_net::http::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{ApiError, http};
use crate::state::PortalAuth;

/// The client for portal endpoints that need a signed-in session.
#[derive(Debug, Clone, Copy)]
pub struct PortalApi {
    auth: PortalAuth,
}

impl PortalApi {
    pub fn new(auth: PortalAuth) -> Self {
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
        let result = self
            .post::<(), ()>("/api/v1/portal/auth/logout", None)
            .await;
        self.auth.sign_out();
        result
    }
}
