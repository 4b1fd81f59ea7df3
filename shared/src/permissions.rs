//! The one table of which admin role may do what. The API checks it on every route and
//! the SPA uses it to hide what the signed-in user cannot do.

use serde::{Deserialize, Serialize};

/// Admin roles, highest first. Each role has every permission of the roles below it, except
/// where the table in [`Role::permissions`] says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Superadmin,
    Admin,
    Approver,
    Auditor,
    Helpdesk,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Superadmin,
        Role::Admin,
        Role::Approver,
        Role::Auditor,
        Role::Helpdesk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Superadmin => "superadmin",
            Role::Admin => "admin",
            Role::Approver => "approver",
            Role::Auditor => "auditor",
            Role::Helpdesk => "helpdesk",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == value)
    }

    /// Returns whether this role has every permission of `other`.
    pub fn covers(self, other: Role) -> bool {
        other.permissions().iter().all(|p| self.allows(*p))
    }

    /// Returns the permissions this role grants.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Superadmin => &[
                SettingsRead,
                SettingsWrite,
                CatalogRead,
                CatalogWrite,
                OrdersRead,
                OrdersWrite,
                OrdersDecide,
                AuditRead,
                UsersWrite,
                JobsRead,
                JobsWrite,
                LicenseRead,
                LicenseWrite,
                BackupsRead,
                BackupsRestore,
                HealthRead,
            ],
            Role::Admin => &[
                SettingsRead,
                SettingsWrite,
                CatalogRead,
                CatalogWrite,
                OrdersRead,
                OrdersWrite,
                OrdersDecide,
                AuditRead,
                JobsRead,
                JobsWrite,
                LicenseRead,
                BackupsRead,
                HealthRead,
            ],
            Role::Approver => &[CatalogRead, OrdersRead, OrdersDecide],
            Role::Auditor => &[
                SettingsRead,
                CatalogRead,
                OrdersRead,
                AuditRead,
                JobsRead,
                LicenseRead,
                BackupsRead,
                HealthRead,
            ],
            Role::Helpdesk => &[CatalogRead, OrdersRead],
        }
    }

    pub fn allows(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }
}

/// One thing an admin route does; every admin route declares the permission it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    SettingsRead,
    SettingsWrite,
    CatalogRead,
    CatalogWrite,
    OrdersRead,
    OrdersWrite,
    /// Approving or declining an order's pending approval in the admin SPA.
    OrdersDecide,
    AuditRead,
    UsersWrite,
    /// Reading the job queues: depths, jobs and their errors.
    JobsRead,
    /// Retrying dead jobs and purging finished ones.
    JobsWrite,
    /// Reading the license status.
    LicenseRead,
    /// Uploading and removing the license.
    LicenseWrite,
    /// Listing database backups and backup runs. Taking, scheduling and deleting backups
    /// needs `SettingsWrite`.
    BackupsRead,
    /// Downloading a backup file and restoring the database from one. A backup contains every
    /// row of the database, and a restore replaces them all.
    BackupsRestore,
    /// Reading the detailed health of the installation's components and running the checks.
    HealthRead,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::SettingsRead => "settings_read",
            Permission::SettingsWrite => "settings_write",
            Permission::CatalogRead => "catalog_read",
            Permission::CatalogWrite => "catalog_write",
            Permission::OrdersRead => "orders_read",
            Permission::OrdersWrite => "orders_write",
            Permission::OrdersDecide => "orders_decide",
            Permission::AuditRead => "audit_read",
            Permission::UsersWrite => "users_write",
            Permission::JobsRead => "jobs_read",
            Permission::JobsWrite => "jobs_write",
            Permission::LicenseRead => "license_read",
            Permission::LicenseWrite => "license_write",
            Permission::BackupsRead => "backups_read",
            Permission::BackupsRestore => "backups_restore",
            Permission::HealthRead => "health_read",
        }
    }

    /// Whether only admins without a narrowed access scope may use this permission, because
    /// what it changes serves every asset definition.
    pub fn needs_full_scope(self) -> bool {
        matches!(
            self,
            Permission::SettingsWrite
                | Permission::JobsWrite
                | Permission::LicenseWrite
                | Permission::BackupsRestore
        )
    }

    /// Whether an admin user's access scope narrows this permission to some asset
    /// definitions. Reading the catalog is never narrowed.
    pub fn is_scoped(self) -> bool {
        matches!(
            self,
            Permission::CatalogWrite
                | Permission::OrdersRead
                | Permission::OrdersWrite
                | Permission::OrdersDecide
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn auditor_reads_but_never_writes() {
        let writes = [
            Permission::SettingsWrite,
            Permission::CatalogWrite,
            Permission::OrdersWrite,
            Permission::OrdersDecide,
            Permission::UsersWrite,
            Permission::JobsWrite,
            Permission::LicenseWrite,
        ];
        for permission in writes {
            assert!(!Role::Auditor.allows(permission), "{permission:?}");
        }
        assert!(Role::Auditor.allows(Permission::AuditRead));
        assert!(Role::Auditor.allows(Permission::JobsRead));
    }

    #[test]
    fn jobs_are_for_auditors_and_admins() {
        let readers = [Role::Superadmin, Role::Admin, Role::Auditor];
        let writers = [Role::Superadmin, Role::Admin];
        for role in Role::ALL {
            assert_eq!(
                role.allows(Permission::JobsRead),
                readers.contains(&role),
                "{role:?}"
            );
            assert_eq!(
                role.allows(Permission::JobsWrite),
                writers.contains(&role),
                "{role:?}"
            );
        }
    }

    #[test]
    fn license_permissions_by_role() {
        let readers = [Role::Superadmin, Role::Admin, Role::Auditor];
        for role in Role::ALL {
            assert_eq!(
                role.allows(Permission::LicenseRead),
                readers.contains(&role),
                "{role:?}"
            );
            assert_eq!(
                role.allows(Permission::LicenseWrite),
                role == Role::Superadmin,
                "{role:?}"
            );
        }
    }

    #[test]
    fn only_superadmin_downloads_and_restores_backups() {
        let readers = [Role::Superadmin, Role::Admin, Role::Auditor];
        for role in Role::ALL {
            assert_eq!(
                role.allows(Permission::BackupsRead),
                readers.contains(&role),
                "{role:?}"
            );
            assert_eq!(
                role.allows(Permission::BackupsRestore),
                role == Role::Superadmin,
                "{role:?}"
            );
            assert_eq!(
                role.allows(Permission::HealthRead),
                readers.contains(&role),
                "{role:?}"
            );
        }
    }

    #[test]
    fn only_superadmin_manages_users() {
        for role in Role::ALL {
            assert_eq!(
                role.allows(Permission::UsersWrite),
                role == Role::Superadmin
            );
        }
    }
}
