use shared::branding::{GeneralSettings, GeneralSettingsInput};
use shared::checklist::SetupChecklist;
use shared::settings::{ConnectionTest, OidcSettingsInput};

use super::AdminApi;
use crate::api::{ApiError, http};

impl AdminApi {
    pub async fn general_settings(self) -> Result<GeneralSettings, ApiError> {
        self.get("/api/v1/settings/general").await
    }

    pub async fn save_general_settings(
        self,
        input: &GeneralSettingsInput,
    ) -> Result<GeneralSettings, ApiError> {
        self.put("/api/v1/settings/general", input).await
    }

    /// Sends the chosen file as the new logo; the server checks its format by its first bytes.
    pub async fn upload_logo(self, file: &web_sys::File) -> Result<GeneralSettings, ApiError> {
        let csrf_token = self.auth.csrf_token_untracked();
        let result =
            http::put_file("/api/v1/settings/general/logo", file, csrf_token.as_deref()).await;
        self.sign_out_on_401(result)
    }

    pub async fn delete_logo(self) -> Result<GeneralSettings, ApiError> {
        self.delete("/api/v1/settings/general/logo").await
    }

    /// Checks `input` against the provider. Without `client_secret`, the server uses the
    /// stored one while the issuer and client ID are unchanged.
    pub async fn test_oidc_settings(
        self,
        input: &OidcSettingsInput,
    ) -> Result<ConnectionTest, ApiError> {
        self.post("/api/v1/settings/oidc/test", Some(input)).await
    }

    pub async fn setup_checklist(self) -> Result<SetupChecklist, ApiError> {
        self.get("/api/v1/setup/checklist").await
    }
}
