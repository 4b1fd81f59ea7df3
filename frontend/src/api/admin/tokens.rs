use shared::Page;
use shared::tokens::{ApiToken, CreatedApiToken, NewApiToken};
use uuid::Uuid;

use super::AdminApi;
use crate::api::query::with_query;
use crate::api::{ApiError, PAGE_SIZE};

impl AdminApi {
    /// Lists the signed-in admin's API tokens, newest first, one page after `cursor`. A
    /// superadmin gets every admin's tokens.
    pub async fn api_tokens(self, cursor: Option<String>) -> Result<Page<ApiToken>, ApiError> {
        let parameters = [("limit", Some(PAGE_SIZE.to_string())), ("cursor", cursor)];
        let url = with_query("/api/v1/tokens", &parameters);
        self.get(&url).await
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
