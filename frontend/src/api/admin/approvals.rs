use shared::approvals::{
    ApprovalPlan, Delegation, NewDelegation, ReplayReport, ReplayRequest, SimulationRequest,
};
use shared::settings::ApprovalSettings;
use uuid::Uuid;

use super::AdminApi;
use crate::api::ApiError;

impl AdminApi {
    /// Routes a sample order through an unsaved definition and returns who would approve it.
    /// The server responds 422 with `approval.…` field errors for a policy it cannot use.
    pub async fn simulate_approval(
        self,
        request: &SimulationRequest,
    ) -> Result<ApprovalPlan, ApiError> {
        self.post("/api/v1/approval-simulations", Some(request))
            .await
    }

    /// Compares how the definition's recent and pending orders were routed with how the
    /// unsaved definition in `request` would route them.
    pub async fn replay_approval(
        self,
        definition_id: Uuid,
        request: &ReplayRequest,
    ) -> Result<ReplayReport, ApiError> {
        let url = format!("/api/v1/asset-definitions/{definition_id}/approval-replay");
        self.post(&url, Some(request)).await
    }

    /// Lists the current and future out-of-office windows of everyone.
    pub async fn delegations(self) -> Result<Vec<Delegation>, ApiError> {
        self.get("/api/v1/delegations").await
    }

    pub async fn create_delegation(self, input: &NewDelegation) -> Result<Delegation, ApiError> {
        self.post("/api/v1/delegations", Some(input)).await
    }

    pub async fn delete_delegation(self, id: Uuid) -> Result<(), ApiError> {
        self.delete(&format!("/api/v1/delegations/{id}")).await
    }

    pub async fn approval_settings(self) -> Result<ApprovalSettings, ApiError> {
        self.get("/api/v1/settings/approvals").await
    }

    pub async fn save_approval_settings(
        self,
        input: &ApprovalSettings,
    ) -> Result<ApprovalSettings, ApiError> {
        self.put("/api/v1/settings/approvals", input).await
    }
}
