use leptos::prelude::*;
use shared::auth::AdminSession;
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

    /// Returns whether the signed-in admin has `permission`, tracked by the calling view.
    pub fn allows(self, permission: Permission) -> bool {
        self.state.with(|state| match state {
            AdminAuthState::SignedIn(session) => session.permissions.contains(&permission),
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

impl Default for AdminAuth {
    fn default() -> Self {
        Self::new()
    }
}
