use shared::runbooks::{Script, ScriptInput, ScriptVersion};
use uuid::Uuid;

use super::AdminApi;
use crate::api::ApiError;

impl AdminApi {
    /// Lists every stored script by name, each in its current version.
    pub async fn scripts(self) -> Result<Vec<Script>, ApiError> {
        self.get("/api/v1/scripts").await
    }

    pub async fn script(self, id: Uuid) -> Result<Script, ApiError> {
        self.get(&format!("/api/v1/scripts/{id}")).await
    }

    pub async fn create_script(self, input: &ScriptInput) -> Result<Script, ApiError> {
        self.post("/api/v1/scripts", Some(input)).await
    }

    /// Saves a new version of a script; earlier versions stay readable.
    pub async fn update_script(self, id: Uuid, input: &ScriptInput) -> Result<Script, ApiError> {
        self.put(&format!("/api/v1/scripts/{id}"), input).await
    }

    pub async fn delete_script(self, id: Uuid) -> Result<(), ApiError> {
        self.delete(&format!("/api/v1/scripts/{id}")).await
    }

    /// Lists every version of a script with its body.
    pub async fn script_versions(self, id: Uuid) -> Result<Vec<ScriptVersion>, ApiError> {
        self.get(&format!("/api/v1/scripts/{id}/versions")).await
    }
}
