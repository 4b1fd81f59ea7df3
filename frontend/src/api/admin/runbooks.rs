use shared::Page;
use shared::runbooks::{
    DryRun, DryRunRequest, NewRun, RunNote, RunState, RunSummary, Runbook, RunbookInput,
    RunbookRun, RunbookSummary,
};
use uuid::Uuid;

use super::AdminApi;
use crate::api::query::with_query;
use crate::api::{ApiError, PAGE_SIZE};

impl AdminApi {
    /// Lists every runbook by name, with its last run.
    pub async fn runbooks(self) -> Result<Vec<RunbookSummary>, ApiError> {
        self.get("/api/v1/runbooks").await
    }

    pub async fn runbook(self, id: Uuid) -> Result<Runbook, ApiError> {
        self.get(&format!("/api/v1/runbooks/{id}")).await
    }

    /// Creates a runbook. The server responds 422 with field errors such as
    /// `steps[2].params.group_dn`, and for a schedule that is not a six-field cron expression.
    pub async fn create_runbook(self, input: &RunbookInput) -> Result<Runbook, ApiError> {
        self.post("/api/v1/runbooks", Some(input)).await
    }

    /// Saves a runbook as a new version; runs under way keep the steps they started with.
    pub async fn update_runbook(self, id: Uuid, input: &RunbookInput) -> Result<Runbook, ApiError> {
        self.put(&format!("/api/v1/runbooks/{id}"), input).await
    }

    /// Deletes a runbook. The server responds 409, naming the definitions, while a definition
    /// uses it.
    pub async fn delete_runbook(self, id: Uuid) -> Result<(), ApiError> {
        self.delete(&format!("/api/v1/runbooks/{id}")).await
    }

    /// Copies a runbook under the name "Copy of ..." without its schedule.
    pub async fn copy_runbook(self, id: Uuid) -> Result<Runbook, ApiError> {
        self.post::<(), _>(&format!("/api/v1/runbooks/{id}/copy"), None)
            .await
    }

    /// Renders a runbook's steps with every parameter resolved, without running them.
    pub async fn dry_run(self, request: &DryRunRequest) -> Result<DryRun, ApiError> {
        self.post("/api/v1/runbook-dry-runs", Some(request)).await
    }

    /// Starts the saved version of a runbook by hand.
    pub async fn start_run(self, id: Uuid, input: &NewRun) -> Result<RunbookRun, ApiError> {
        self.post(&format!("/api/v1/runbooks/{id}/runs"), Some(input))
            .await
    }

    /// Lists runs, newest first, of one runbook or of all, optionally in one state.
    pub async fn runs(
        self,
        runbook_id: Option<Uuid>,
        state: Option<RunState>,
        cursor: Option<String>,
    ) -> Result<Page<RunSummary>, ApiError> {
        let parameters = [
            ("runbook_id", runbook_id.map(|id| id.to_string())),
            ("state", state.map(|state| state.as_str().to_string())),
            ("limit", Some(PAGE_SIZE.to_string())),
            ("cursor", cursor),
        ];
        self.get(&with_query("/api/v1/runbook-runs", &parameters))
            .await
    }

    pub async fn run(self, id: Uuid) -> Result<RunbookRun, ApiError> {
        self.get(&format!("/api/v1/runbook-runs/{id}")).await
    }

    /// Asks a run to stop. The server responds 409 when it has finished.
    pub async fn cancel_run(self, id: Uuid) -> Result<RunbookRun, ApiError> {
        self.post::<(), _>(&format!("/api/v1/runbook-runs/{id}/cancel"), None)
            .await
    }

    /// Retries a failed or cancelled run from its failed step. The server responds 409 for a
    /// run in any other state.
    pub async fn retry_run(self, id: Uuid) -> Result<RunbookRun, ApiError> {
        self.post::<(), _>(&format!("/api/v1/runbook-runs/{id}/retry"), None)
            .await
    }

    /// Adds a note, stamped with the time and the admin, to a run.
    pub async fn add_run_note(self, id: Uuid, note: String) -> Result<RunbookRun, ApiError> {
        let body = RunNote { note };
        self.post(&format!("/api/v1/runbook-runs/{id}/notes"), Some(&body))
            .await
    }
}
