use shared::metrics::{MetricsSettings, MetricsSettingsInput};
use shared::settings::{
    ConnectionTest, LdapSettings, LdapSettingsInput, OidcSettings, OidcSettingsInput, SmtpSettings,
    SmtpSettingsInput,
};
use shared::siem::{SiemSettings, SiemSettingsInput};

use super::AdminApi;
use crate::api::ApiError;

impl AdminApi {
    pub async fn ldap_settings(self) -> Result<LdapSettings, ApiError> {
        self.get("/api/v1/settings/ldap").await
    }

    pub async fn save_ldap_settings(
        self,
        input: &LdapSettingsInput,
    ) -> Result<LdapSettings, ApiError> {
        self.put("/api/v1/settings/ldap", input).await
    }

    /// Tries a bind with `input`. Without `bind_password`, the server uses the stored one.
    pub async fn test_ldap_settings(
        self,
        input: &LdapSettingsInput,
    ) -> Result<ConnectionTest, ApiError> {
        self.post("/api/v1/settings/ldap/test", Some(input)).await
    }

    pub async fn smtp_settings(self) -> Result<SmtpSettings, ApiError> {
        self.get("/api/v1/settings/smtp").await
    }

    pub async fn save_smtp_settings(
        self,
        input: &SmtpSettingsInput,
    ) -> Result<SmtpSettings, ApiError> {
        self.put("/api/v1/settings/smtp", input).await
    }

    // NOTE: the SMTP test body is assumed to be the same input as a save, as for the LDAP test.
    // A server that tests only the stored settings ignores the body.
    pub async fn test_smtp_settings(
        self,
        input: &SmtpSettingsInput,
    ) -> Result<ConnectionTest, ApiError> {
        self.post("/api/v1/settings/smtp/test", Some(input)).await
    }

    pub async fn oidc_settings(self) -> Result<OidcSettings, ApiError> {
        self.get("/api/v1/settings/oidc").await
    }

    pub async fn save_oidc_settings(
        self,
        input: &OidcSettingsInput,
    ) -> Result<OidcSettings, ApiError> {
        self.put("/api/v1/settings/oidc", input).await
    }

    pub async fn metrics_settings(self) -> Result<MetricsSettings, ApiError> {
        self.get("/api/v1/settings/metrics").await
    }

    pub async fn save_metrics_settings(
        self,
        input: &MetricsSettingsInput,
    ) -> Result<MetricsSettings, ApiError> {
        self.put("/api/v1/settings/metrics", input).await
    }

    pub async fn siem_settings(self) -> Result<SiemSettings, ApiError> {
        self.get("/api/v1/settings/siem").await
    }

    pub async fn save_siem_settings(
        self,
        input: &SiemSettingsInput,
    ) -> Result<SiemSettings, ApiError> {
        self.put("/api/v1/settings/siem", input).await
    }

    /// Sends a test event. Without `token`, the server uses the stored one.
    pub async fn test_siem_settings(
        self,
        input: &SiemSettingsInput,
    ) -> Result<ConnectionTest, ApiError> {
        self.post("/api/v1/settings/siem/test", Some(input)).await
    }
}
