use shared::health::{HealthDetails, HealthSettings};

use super::AdminApi;
use crate::api::ApiError;

impl AdminApi {
    /// Returns the latest check of every component.
    pub async fn health_details(self) -> Result<HealthDetails, ApiError> {
        self.get("/api/v1/health/details").await
    }

    /// Checks every component now and returns the new report.
    pub async fn check_health(self) -> Result<HealthDetails, ApiError> {
        self.post::<(), HealthDetails>("/api/v1/health/check", None)
            .await
    }

    pub async fn health_settings(self) -> Result<HealthSettings, ApiError> {
        self.get("/api/v1/health/settings").await
    }

    pub async fn save_health_settings(
        self,
        settings: &HealthSettings,
    ) -> Result<HealthSettings, ApiError> {
        self.put("/api/v1/health/settings", settings).await
    }
}
