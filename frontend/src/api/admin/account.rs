use shared::admin_users::PasswordChange;
use shared::auth::AdminSession;

use super::AdminApi;
use crate::api::ApiError;

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
}
