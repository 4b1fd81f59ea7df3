use gloo_net::http::Method;
use shared::license::LicenseStatus;

use super::AdminApi;
use crate::api::{ApiError, http};

impl AdminApi {
    /// Returns the licensing status, which the server computes on each request.
    pub async fn license(self) -> Result<LicenseStatus, ApiError> {
        self.get("/api/v1/license").await
    }

    /// Uploads the text of a license file as the vendor sent it. The server responds 422 with
    /// its own problem type for a malformed file, an unknown key or a bad signature.
    pub async fn upload_license(self, text: &str) -> Result<LicenseStatus, ApiError> {
        let csrf_token = self.auth.csrf_token_untracked();
        let result = http::send_text(
            Method::PUT,
            "/api/v1/license",
            "application/json",
            text,
            csrf_token.as_deref(),
        )
        .await;
        self.sign_out_on_401(result)
    }

    /// Removes the uploaded license and returns the status without it.
    pub async fn remove_license(self) -> Result<LicenseStatus, ApiError> {
        self.delete("/api/v1/license").await
    }
}
