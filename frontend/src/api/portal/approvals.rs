use shared::approvals::{Delegation, InboxDecision, InboxItem, NewDelegation};
use shared::orders::DecisionOutcome;
use uuid::Uuid;

use super::PortalApi;
use crate::api::ApiError;

/// Which approvals of the signed-in person the inbox lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxState {
    /// Approvals waiting for the person's decision.
    Pending,
    /// Approvals the person has approved or declined.
    Decided,
}

impl InboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxState::Pending => "pending",
            InboxState::Decided => "decided",
        }
    }
}

impl PortalApi {
    /// Lists the signed-in person's approvals in `state`, including those a delegation sent
    /// to them.
    pub async fn approvals(self, state: InboxState) -> Result<Vec<InboxItem>, ApiError> {
        let url = format!("/api/v1/portal/approvals?state={}", state.as_str());
        self.get(&url).await
    }

    /// Decides one approval. The outcome's order state stays `pending_approval` while other
    /// approvals are still needed. The server responds 409 when the approval was decided
    /// meanwhile and 403 when separation of duties rejects the person.
    pub async fn decide_approval(
        self,
        approval_id: Uuid,
        decision: &InboxDecision,
    ) -> Result<DecisionOutcome, ApiError> {
        let url = format!("/api/v1/portal/approvals/{approval_id}/decision");
        self.post(&url, Some(decision)).await
    }

    /// Lists the signed-in person's own current and future out-of-office windows.
    pub async fn my_delegations(self) -> Result<Vec<Delegation>, ApiError> {
        self.get("/api/v1/portal/delegations").await
    }

    /// Sends the signed-in person's approvals to a stand-in for a window; `person` stays empty.
    pub async fn create_delegation(self, input: &NewDelegation) -> Result<Delegation, ApiError> {
        self.post("/api/v1/portal/delegations", Some(input)).await
    }

    pub async fn delete_delegation(self, id: Uuid) -> Result<(), ApiError> {
        self.delete(&format!("/api/v1/portal/delegations/{id}"))
            .await
    }
}
