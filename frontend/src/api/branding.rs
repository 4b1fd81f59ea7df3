//! The public branding: the title and logo every page shows, readable before sign-in.

use shared::branding::Branding;

use crate::api::{ApiError, http};

pub async fn branding() -> Result<Branding, ApiError> {
    http::get_json("/api/v1/branding").await
}
