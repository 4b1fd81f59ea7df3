//! Connection settings edited in the admin SPA. Secrets are write-only: a request carries the
//! new value or leaves it out to keep the stored one, and a response says only whether one is set.

use serde::{Deserialize, Serialize};

/// How a connection to the directory is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LdapTls {
    /// Plain LDAP, for a directory on the same host or a lab only.
    #[default]
    None,
    /// LDAP upgraded with the StartTLS extended operation.
    Starttls,
    /// LDAP over TLS from the first byte (`ldaps://`).
    Ldaps,
}

/// How a connection to the mail server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    #[default]
    None,
    Starttls,
    /// SMTP over TLS from the first byte (usually port 465).
    Tls,
}

/// Directory settings as the API returns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LdapSettings {
    pub host: String,
    pub port: u16,
    pub tls: LdapTls,
    pub bind_dn: String,
    pub bind_password_set: bool,
    pub base_dn: String,
    /// The attribute on a person's entry that holds their manager's DN.
    pub manager_attribute: String,
}

/// Directory settings as a client sends them. `bind_password` left out keeps the stored one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LdapSettingsInput {
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub tls: LdapTls,
    pub bind_dn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_password: Option<String>,
    pub base_dn: String,
    #[serde(default = "default_manager_attribute")]
    pub manager_attribute: String,
}

pub fn default_manager_attribute() -> String {
    "manager".to_string()
}

/// Mail settings as the API returns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password_set: bool,
    /// The sender, as `address` or `Name <address>`.
    pub from: String,
}

/// Mail settings as a client sends them. `password` left out keeps the stored one; an empty
/// string removes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SmtpSettingsInput {
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub tls: SmtpTls,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    pub from: String,
}

/// Portal sign-in settings as the API returns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OidcSettings {
    pub enabled: bool,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret_set: bool,
    /// E-mail domains whose people may sign in; empty allows every domain.
    pub allowed_email_domains: Vec<String>,
    /// The redirect URI to register at the provider.
    pub redirect_uri: String,
}

/// Portal sign-in settings as a client sends them. `client_secret` left out keeps the stored one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OidcSettingsInput {
    pub enabled: bool,
    pub issuer_url: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub allowed_email_domains: Vec<String>,
}

/// The outcome of a "test connection" button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionTest {
    pub ok: bool,
    /// What succeeded, or the exact failure reported by the server or the network.
    pub message: String,
}
