use crate::admin_users::AccessScope;
use crate::permissions::{Permission, Role};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Whether the installation still needs its first administrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetupStatus {
    pub needs_first_admin: bool,
}

/// Username and password, used both to create the first administrator and to sign in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub username: String,
    pub password: String,
    /// The current code from an authenticator app, or an unused recovery code, for accounts
    /// with two-factor sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_code: Option<String>,
}

/// The signed-in admin user, with the CSRF token that cookie-authenticated writes must send
/// in the `X-CSRF-Token` header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminSession {
    /// Absent when signed in with the legacy admin key, which belongs to no account.
    pub user_id: Option<Uuid>,
    pub username: String,
    pub role: Role,
    pub permissions: Vec<Permission>,
    /// The asset definitions the role applies to for catalog changes and orders.
    pub scope: AccessScope,
    pub csrf_token: String,
    /// Whether this account signs in with a second factor.
    #[serde(default)]
    pub totp_enabled: bool,
    /// Set when the account may only reach My account until it fixes what this names.
    #[serde(default)]
    pub restriction: Option<SignInRestriction>,
}

/// The reason a signed-in admin may only reach My account for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SignInRestriction {
    /// The password is older than the policy's maximum age.
    PasswordExpired,
    /// The role must sign in with a second factor and none is set up.
    TotpSetupRequired,
}

impl SignInRestriction {
    /// Returns what the admin must do, in one sentence.
    pub fn message(self) -> &'static str {
        match self {
            SignInRestriction::PasswordExpired => {
                "Your password has expired under the password policy; change it in My account before anything else."
            }
            SignInRestriction::TotpSetupRequired => {
                "Your role must sign in with two-factor authentication; set it up in My account before anything else."
            }
        }
    }
}

/// The signed-in portal user, matched to a directory entry at sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalSession {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub directory_dn: String,
    pub csrf_token: String,
}

/// Whether portal sign-in through OpenID Connect is configured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalAuthStatus {
    pub sign_in_enabled: bool,
    /// Where the browser goes to start signing in.
    pub login_url: String,
}

/// One of the signed-in admin's open sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub id: Uuid,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    /// The session this request was sent with.
    pub current: bool,
}

/// A new authenticator secret, shown while two-factor sign-in is being set up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpSetup {
    /// The secret in base32, for typing into an authenticator app.
    pub secret: String,
    /// An `otpauth://` URI with the same secret, for apps that read it from a QR code or link.
    pub otpauth_url: String,
}

/// A code from the authenticator app, confirming the setup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TotpConfirm {
    pub code: String,
}

/// One-time recovery codes, shown once when two-factor sign-in is turned on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

/// The current password, confirming that two-factor sign-in is turned off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TotpDisable {
    pub password: String,
}
