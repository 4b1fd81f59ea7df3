use shared::Page;
use shared::admin_users::{AdminUser, AdminUserUpdate, NewAdminUser, PasswordReset};
use uuid::Uuid;

use super::AdminApi;
use crate::api::query::with_query;
use crate::api::{ApiError, PAGE_SIZE};

impl AdminApi {
    /// Lists admin users by username.
    pub async fn admin_users(self, cursor: Option<String>) -> Result<Page<AdminUser>, ApiError> {
        let parameters = [("limit", Some(PAGE_SIZE.to_string())), ("cursor", cursor)];
        let url = with_query("/api/v1/admin-users", &parameters);
        self.get(&url).await
    }

    /// Fetches one admin user. The server responds 404 when no admin user has this ID.
    pub async fn admin_user(self, id: Uuid) -> Result<AdminUser, ApiError> {
        self.get(&format!("/api/v1/admin-users/{id}")).await
    }

    /// Creates an admin user. The server responds 422 when the username is taken, the password
    /// breaks the rules or the scope names an unknown definition, and 409 when separation of
    /// duties forbids the role for the person with this mail address.
    pub async fn create_admin_user(self, input: &NewAdminUser) -> Result<AdminUser, ApiError> {
        self.post("/api/v1/admin-users", Some(input)).await
    }

    /// Replaces role, active flag, mail address and scope; a change of role, scope or active
    /// flag ends that user's sessions. The server responds 409 for one's own role, scope or
    /// active flag, for a change that would leave no active superadmin, and when separation of
    /// duties forbids the role.
    pub async fn update_admin_user(
        self,
        id: Uuid,
        input: &AdminUserUpdate,
    ) -> Result<AdminUser, ApiError> {
        self.put(&format!("/api/v1/admin-users/{id}"), input).await
    }

    /// Sets a new password for an admin user and ends that user's sessions.
    pub async fn reset_admin_user_password(
        self,
        id: Uuid,
        input: &PasswordReset,
    ) -> Result<(), ApiError> {
        self.post(&format!("/api/v1/admin-users/{id}/password"), Some(input))
            .await
    }

    /// Deletes an admin user. The server responds 409 for one's own account and for the last
    /// active superadmin.
    pub async fn delete_admin_user(self, id: Uuid) -> Result<(), ApiError> {
        self.delete(&format!("/api/v1/admin-users/{id}")).await
    }
}
