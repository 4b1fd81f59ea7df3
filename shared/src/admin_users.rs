//! Admin user accounts, managed by superadmins.

use crate::permissions::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The asset definitions an admin user's role applies to for catalog changes and orders.
/// Both lists empty means every definition; otherwise a definition is covered when its id is
/// listed or its category is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccessScope {
    #[serde(default)]
    pub definitions: Vec<Uuid>,
    /// Category names, compared without regard to case.
    #[serde(default)]
    pub categories: Vec<String>,
}

impl AccessScope {
    /// Returns whether this scope covers every asset definition.
    pub fn is_everywhere(&self) -> bool {
        self.definitions.is_empty() && self.categories.is_empty()
    }

    /// Returns whether this scope covers the definition with `id` in `category`.
    pub fn covers(&self, id: Uuid, category: &str) -> bool {
        self.is_everywhere()
            || self.definitions.contains(&id)
            || self
                .categories
                .iter()
                .any(|c| c.trim().eq_ignore_ascii_case(category.trim()))
    }
}

/// An admin user as the API returns it; the password hash never leaves the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUser {
    pub id: Uuid,
    pub username: String,
    /// The person's mail address. Accounts with the same address belong to one person, which
    /// the separation-of-duties rules use.
    pub email: Option<String>,
    pub role: Role,
    pub scope: AccessScope,
    pub active: bool,
    pub totp_enabled: bool,
    pub password_changed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The body of a new admin user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAdminUser {
    pub username: String,
    pub password: String,
    pub role: Role,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub scope: AccessScope,
}

/// A change of role, scope, mail address or active flag. A change of role, scope or active
/// flag ends the user's sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdminUserUpdate {
    pub role: Role,
    pub active: bool,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub scope: AccessScope,
}

/// A new password set by a superadmin for someone else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub password: String,
}

/// A change of one's own password, which needs the current one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_scope_covers_everything() {
        let id = Uuid::from_u128(1);
        assert!(AccessScope::default().covers(id, "VDI"));
        let scope = AccessScope {
            definitions: vec![id],
            categories: vec!["Workplace".into()],
        };
        assert!(scope.covers(id, "Other"));
        assert!(scope.covers(Uuid::from_u128(2), "workplace"));
        assert!(!scope.covers(Uuid::from_u128(2), "VDI"));
    }
}
