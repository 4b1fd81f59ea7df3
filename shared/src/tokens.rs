//! API tokens: named, expiring, revocable bearer tokens with scopes.

use crate::permissions::{Permission, Role};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a token may be used for. A token's request passes only when one of its scopes grants
/// the route's permission and the token's role has it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    #[serde(rename = "orders:read")]
    OrdersRead,
    #[serde(rename = "orders:write")]
    OrdersWrite,
    #[serde(rename = "catalog:read")]
    CatalogRead,
    #[serde(rename = "catalog:write")]
    CatalogWrite,
    #[serde(rename = "audit:read")]
    AuditRead,
    #[serde(rename = "hr:leaver")]
    HrLeaver,
    #[serde(rename = "scim:read")]
    ScimRead,
    #[serde(rename = "scim:write")]
    ScimWrite,
    #[serde(rename = "metrics:read")]
    MetricsRead,
    /// Everything the token's role may do.
    #[serde(rename = "admin")]
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 10] = [
        Scope::OrdersRead,
        Scope::OrdersWrite,
        Scope::CatalogRead,
        Scope::CatalogWrite,
        Scope::AuditRead,
        Scope::HrLeaver,
        Scope::ScimRead,
        Scope::ScimWrite,
        Scope::MetricsRead,
        Scope::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::OrdersRead => "orders:read",
            Scope::OrdersWrite => "orders:write",
            Scope::CatalogRead => "catalog:read",
            Scope::CatalogWrite => "catalog:write",
            Scope::AuditRead => "audit:read",
            Scope::HrLeaver => "hr:leaver",
            Scope::ScimRead => "scim:read",
            Scope::ScimWrite => "scim:write",
            Scope::MetricsRead => "metrics:read",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// Returns whether this scope covers `permission`. Scopes for interfaces that have no routes yet
    /// (HR, SCIM, metrics) cover no admin permission.
    pub fn grants(self, permission: Permission) -> bool {
        match self {
            Scope::Admin => true,
            Scope::OrdersRead => permission == Permission::OrdersRead,
            Scope::OrdersWrite => {
                matches!(
                    permission,
                    Permission::OrdersRead | Permission::OrdersWrite | Permission::OrdersDecide
                )
            }
            Scope::CatalogRead => permission == Permission::CatalogRead,
            Scope::CatalogWrite => {
                matches!(
                    permission,
                    Permission::CatalogRead | Permission::CatalogWrite
                )
            }
            Scope::AuditRead => permission == Permission::AuditRead,
            Scope::HrLeaver | Scope::ScimRead | Scope::ScimWrite | Scope::MetricsRead => false,
        }
    }
}

/// A token as lists show it; the secret part is never returned after creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    /// The public start of the token, such as `ips_a1b2c3d4`, to recognise it.
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub role: Option<Role>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub last_used_address: Option<String>,
}

/// The body of a new token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    pub name: String,
    pub scopes: Vec<Scope>,
    /// A role at or below the creator's; left out, the token acts with the creator's role.
    #[serde(default)]
    pub role: Option<Role>,
    /// Days until the token expires, 1 to 730.
    pub expires_in_days: i32,
}

/// A new token with its secret, returned once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiToken {
    pub token: ApiToken,
    /// Send as `Authorization: Bearer <secret>`. It cannot be shown again.
    pub secret: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_names_round_trip() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
            let json = serde_json::to_string(&scope).unwrap();
            assert_eq!(json, format!("\"{}\"", scope.as_str()));
        }
    }

    #[test]
    fn read_scopes_do_not_write() {
        assert!(!Scope::OrdersRead.grants(Permission::OrdersWrite));
        assert!(Scope::OrdersWrite.grants(Permission::OrdersRead));
        assert!(!Scope::CatalogRead.grants(Permission::SettingsRead));
        assert!(Scope::Admin.grants(Permission::UsersWrite));
    }
}
