use leptos::prelude::*;
use shared::auth::{AdminSession, SignInRestriction};
use shared::permissions::Permission;

use crate::api::ApiError;

/// The sign-in state of the admin SPA.
#[derive(Debug, Clone, PartialEq)]
pub enum AdminAuthState {
    /// The setup status and the session are being fetched.
    Loading,
    /// The setup status or the session could not be fetched.
    Failed(ApiError),
    /// No administrator exists yet, so the first one must be created.
    NeedsFirstAdmin,
    SignedOut,
    SignedIn(AdminSession),
}

/// The kind of [`AdminAuthState`] without its data, so views re-render only when it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAuthKind {
    Loading,
    Failed,
    NeedsFirstAdmin,
    SignedOut,
    SignedIn,
}

/// The admin sign-in state. The admin API client reads the CSRF token from it and moves it
/// to `SignedOut` on a 401 response.
#[derive(Debug, Clone, Copy)]
pub struct AdminAuth {
    pub state: RwSignal<AdminAuthState>,
}

impl AdminAuth {
    pub fn new() -> Self {
        Self {
            state: RwSignal::new(AdminAuthState::Loading),
        }
    }

    pub fn kind(self) -> AdminAuthKind {
        self.state.with(|state| match state {
            AdminAuthState::Loading => AdminAuthKind::Loading,
            AdminAuthState::Failed(_) => AdminAuthKind::Failed,
            AdminAuthState::NeedsFirstAdmin => AdminAuthKind::NeedsFirstAdmin,
            AdminAuthState::SignedOut => AdminAuthKind::SignedOut,
            AdminAuthState::SignedIn(_) => AdminAuthKind::SignedIn,
        })
    }

    /// Returns the signed-in session, tracked by the calling view.
    pub fn session(self) -> Option<AdminSession> {
        self.state.with(|state| match state {
            AdminAuthState::SignedIn(session) => Some(session.clone()),
            _ => None,
        })
    }

    /// Returns whether the signed-in admin has `permission`, tracked by the calling view. A
    /// restricted session has none, see [`session_allows`].
    pub fn allows(self, permission: Permission) -> bool {
        self.state.with(|state| match state {
            AdminAuthState::SignedIn(session) => session_allows(session, permission),
            _ => false,
        })
    }

    /// Returns whether the signed-in admin may do `permission`, without tracking. Forms use it
    /// for their read-only state: signing out replaces the whole page, and a form that tracked
    /// the sign-in state would update its fields while the page that owns them is torn down.
    pub fn allows_untracked(self, permission: Permission) -> bool {
        untrack(|| self.allows(permission))
    }

    /// Returns what confines the signed-in admin to My account, tracked by the calling view.
    pub fn restriction(self) -> Option<SignInRestriction> {
        self.state.with(|state| match state {
            AdminAuthState::SignedIn(session) => session.restriction,
            _ => None,
        })
    }

    /// Returns whether the signed-in admin used the legacy admin key, which belongs to no
    /// account, tracked by the calling view.
    pub fn is_legacy_key(self) -> bool {
        self.state.with(|state| match state {
            AdminAuthState::SignedIn(session) => session.user_id.is_none(),
            _ => false,
        })
    }

    pub fn csrf_token_untracked(self) -> Option<String> {
        self.state
            .try_with_untracked(|state| match state {
                AdminAuthState::SignedIn(session) => Some(session.csrf_token.clone()),
                _ => None,
            })
            .flatten()
    }

    pub fn sign_in(self, session: AdminSession) {
        self.state.set(AdminAuthState::SignedIn(session));
    }

    pub fn sign_out(self) {
        self.state.set(AdminAuthState::SignedOut);
    }
}

/// Returns whether `session` may use `permission`. While the session has a restriction, the
/// server answers 403 everywhere but My account, so the SPA offers nothing else either. The
/// server also rejects permissions that need a full access scope for a narrowed one.
pub fn session_allows(session: &AdminSession, permission: Permission) -> bool {
    session.restriction.is_none()
        && session.permissions.contains(&permission)
        && (!permission.needs_full_scope() || session.scope.is_everywhere())
}

impl Default for AdminAuth {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use shared::admin_users::AccessScope;
    use shared::permissions::Role;

    use super::*;

    fn auditor(restriction: Option<SignInRestriction>) -> AdminSession {
        AdminSession {
            user_id: Some(uuid::Uuid::nil()),
            username: "auditor".to_string(),
            role: Role::Auditor,
            permissions: Role::Auditor.permissions().to_vec(),
            scope: AccessScope::default(),
            csrf_token: "token".to_string(),
            totp_enabled: false,
            restriction,
        }
    }

    #[test]
    fn unrestricted_session_has_its_role_permissions() {
        let session = auditor(None);
        assert!(session_allows(&session, Permission::AuditRead));
        assert!(!session_allows(&session, Permission::UsersWrite));
    }

    #[test]
    fn narrowed_scope_loses_full_scope_permissions() {
        let mut session = auditor(None);
        session.role = Role::Admin;
        session.permissions = Role::Admin.permissions().to_vec();
        session.scope.categories = vec!["Applications".to_string()];
        assert!(session_allows(&session, Permission::JobsRead));
        assert!(session_allows(&session, Permission::CatalogWrite));
        assert!(!session_allows(&session, Permission::JobsWrite));
        assert!(!session_allows(&session, Permission::SettingsWrite));
    }

    #[test]
    fn restricted_session_has_no_permission() {
        for restriction in [
            SignInRestriction::PasswordExpired,
            SignInRestriction::TotpSetupRequired,
        ] {
            let session = auditor(Some(restriction));
            for permission in Role::Auditor.permissions() {
                assert!(
                    !session_allows(&session, *permission),
                    "{restriction:?} allows {permission:?}"
                );
            }
        }
    }
}
