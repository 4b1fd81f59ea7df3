use leptos::prelude::*;
use shared::auth::PortalSession;

use crate::api::ApiError;

/// The sign-in state of the portal.
#[derive(Debug, Clone, PartialEq)]
pub enum PortalAuthState {
    /// The session is being fetched.
    Loading,
    /// The session could not be fetched for a reason other than "not signed in".
    Failed(ApiError),
    SignedOut,
    SignedIn(PortalSession),
}

/// The kind of [`PortalAuthState`] without its data, so views re-render only when it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalAuthKind {
    Loading,
    Failed,
    SignedOut,
    SignedIn,
}

/// The portal sign-in state. The portal API client reads the CSRF token from it and moves it
/// to `SignedOut` on a 401 response.
#[derive(Debug, Clone, Copy)]
pub struct PortalAuth {
    pub state: RwSignal<PortalAuthState>,
}

impl PortalAuth {
    pub fn new() -> Self {
        Self {
            state: RwSignal::new(PortalAuthState::Loading),
        }
    }

    pub fn kind(self) -> PortalAuthKind {
        self.state.with(|state| match state {
            PortalAuthState::Loading => PortalAuthKind::Loading,
            PortalAuthState::Failed(_) => PortalAuthKind::Failed,
            PortalAuthState::SignedOut => PortalAuthKind::SignedOut,
            PortalAuthState::SignedIn(_) => PortalAuthKind::SignedIn,
        })
    }

    /// Returns the signed-in session, tracked by the calling view.
    pub fn session(self) -> Option<PortalSession> {
        self.state.with(|state| match state {
            PortalAuthState::SignedIn(session) => Some(session.clone()),
            _ => None,
        })
    }

    pub fn csrf_token_untracked(self) -> Option<String> {
        self.state
            .try_with_untracked(|state| match state {
                PortalAuthState::SignedIn(session) => Some(session.csrf_token.clone()),
                _ => None,
            })
            .flatten()
    }

    pub fn sign_out(self) {
        self.state.set(PortalAuthState::SignedOut);
    }
}

impl Default for PortalAuth {
    fn default() -> Self {
        Self::new()
    }
}
