use leptos::prelude::Update;
use shared::admin_users::PasswordChange;
use shared::auth::{AdminSession, RecoveryCodes, SessionInfo, TotpConfirm, TotpDisable, TotpSetup};
use uuid::Uuid;

use super::AdminApi;
use crate::api::ApiError;
use crate::state::AdminAuthState;

impl AdminApi {
    /// Changes the signed-in admin's own password and stores the session the server returns,
    /// because its CSRF token replaces the old one. The server ends every other session of
    /// this admin, responds 403 when `current_password` is wrong and 422 when `new_password`
    /// breaks the length rules.
    pub async fn change_password(self, input: &PasswordChange) -> Result<AdminSession, ApiError> {
        let session: AdminSession = self.post("/api/v1/auth/password", Some(input)).await?;
        self.auth.sign_in(session.clone());
        Ok(session)
    }

    /// Lists the signed-in admin's open sessions. The one this tab uses has `current` set.
    pub async fn sessions(self) -> Result<Vec<SessionInfo>, ApiError> {
        self.get("/api/v1/auth/sessions").await
    }

    /// Ends one of the signed-in admin's sessions. The server responds 404 when the session
    /// has already ended or belongs to another admin.
    pub async fn end_session(self, id: Uuid) -> Result<(), ApiError> {
        self.delete(&format!("/api/v1/auth/sessions/{id}")).await
    }

    /// Starts setting up two-factor sign-in and returns the new authenticator secret. Sign-in
    /// stays unchanged until [`Self::confirm_totp`] succeeds, and a later call replaces the
    /// secret that is waiting for a code.
    pub async fn start_totp_setup(self) -> Result<TotpSetup, ApiError> {
        self.post::<(), TotpSetup>("/api/v1/auth/totp/setup", None)
            .await
    }

    /// Turns two-factor sign-in on with a code from the authenticator app and returns the ten
    /// one-time recovery codes, which the server never returns again. The server responds 422
    /// with a `code` field error when the code does not match, and 409 when no setup was
    /// started. Refreshes the stored session afterwards, see [`Self::refresh_totp_enabled`].
    pub async fn confirm_totp(self, input: &TotpConfirm) -> Result<RecoveryCodes, ApiError> {
        let codes: RecoveryCodes = self.post("/api/v1/auth/totp/confirm", Some(input)).await?;
        self.refresh_totp_enabled(true).await;
        Ok(codes)
    }

    /// Turns two-factor sign-in off. The server responds 403 when `password` is wrong.
    /// Refreshes the stored session afterwards, see [`Self::refresh_totp_enabled`].
    pub async fn disable_totp(self, input: &TotpDisable) -> Result<(), ApiError> {
        self.post::<_, ()>("/api/v1/auth/totp/disable", Some(input))
            .await?;
        self.refresh_totp_enabled(false).await;
        Ok(())
    }

    /// Fetches the session again and stores it, so that every view reading `totp_enabled`
    /// follows a change that just succeeded. When the fetch fails for another reason than a
    /// 401, the stored session only takes `expected` as its `totp_enabled`, because the
    /// change itself was saved.
    async fn refresh_totp_enabled(self, expected: bool) {
        match self.get::<AdminSession>("/api/v1/auth/session").await {
            Ok(session) => self.auth.sign_in(session),
            Err(_) => self.auth.state.update(|state| {
                if let AdminAuthState::SignedIn(session) = state {
                    session.totp_enabled = expected;
                }
            }),
        }
    }
}
