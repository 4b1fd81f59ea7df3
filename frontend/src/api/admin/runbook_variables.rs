use shared::runbooks::{RunbookVariable, VariableInput};
use web_sys::js_sys::encode_uri_component;

use super::AdminApi;
use crate::api::ApiError;

fn variable_url(name: &str) -> String {
    format!(
        "/api/v1/runbook-variables/{}",
        String::from(encode_uri_component(name))
    )
}

impl AdminApi {
    /// Lists the variables and secrets that runbook templates read; secrets come without value.
    pub async fn runbook_variables(self) -> Result<Vec<RunbookVariable>, ApiError> {
        self.get("/api/v1/runbook-variables").await
    }

    /// Creates or replaces a variable. A secret is stored encrypted and never returned.
    pub async fn put_runbook_variable(
        self,
        name: &str,
        input: &VariableInput,
    ) -> Result<RunbookVariable, ApiError> {
        self.put(&variable_url(name), input).await
    }

    pub async fn delete_runbook_variable(self, name: &str) -> Result<(), ApiError> {
        self.delete(&variable_url(name)).await
    }
}
