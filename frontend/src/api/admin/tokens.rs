use shared::Page;
use shared::tokens::{ApiToken, CreatedApiToken, NewApiToken};
use uuid::Uuid;

use super::AdminApi;
use crate::api::ApiError;

impl AdminApi {
    /// Lists the signed-in admin's API tokens, newest first. A superadmin gets every admin's
    /// tokens.
    // NOTE: the server returns at most 500 tokens in one page and takes no cursor, so a longer
    // list is cut off without notice.
    pub async fn api_tokens(self) -> Result<Page<ApiToken>, ApiError> {
        self.get("/api/v1/tokens").await
    }

    /// Creates an API token. The response is the only one that contains its secret. The server
    /// responds 422 for an invalid name, no scopes, a role above one's own or an expiry outside
    /// 1 to 730 days.
    pub async fn create_api_token(self, input: &NewApiToken) -> Result<CreatedApiToken, ApiError> {
        self.post("/api/v1/tokens", Some(input)).await
    }

    /// Revokes an API token at once. The server responds 409 when it is already revoked.
    pub async fn revoke_api_token(self, id: Uuid) -> Result<(), ApiError> {
        self.delete(&format!("/api/v1/tokens/{id}")).await
    }
}
