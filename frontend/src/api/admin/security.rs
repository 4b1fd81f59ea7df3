use shared::settings::SecuritySettings;

use super::AdminApi;
use crate::api::ApiError;

impl AdminApi {
    pub async fn security_settings(self) -> Result<SecuritySettings, ApiError> {
        self.get("/api/v1/settings/security").await
    }

    /// Saves the session and password rules. The server applies them to passwords set from
    /// then on and to each session's next request.
    pub async fn save_security_settings(
        self,
        input: &SecuritySettings,
    ) -> Result<SecuritySettings, ApiError> {
        self.put("/api/v1/settings/security", input).await
    }
}
