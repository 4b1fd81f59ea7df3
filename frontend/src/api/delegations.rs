//! The out-of-office endpoints of both apps, behind one client for the components they share.

use shared::approvals::{Delegation, NewDelegation};
use uuid::Uuid;

use super::{AdminApi, ApiError, PortalApi};

/// The delegation endpoints of the admin API, where windows name any person, or of the portal,
/// where they cover the signed-in person's own approvals.
#[derive(Debug, Clone, Copy)]
pub enum DelegationClient {
    Admin(AdminApi),
    Portal(PortalApi),
}

impl DelegationClient {
    /// Returns whether a new window names its absent person, which only admins do.
    pub fn names_person(self) -> bool {
        matches!(self, DelegationClient::Admin(_))
    }

    pub async fn list(self) -> Result<Vec<Delegation>, ApiError> {
        match self {
            DelegationClient::Admin(api) => api.delegations().await,
            DelegationClient::Portal(api) => api.my_delegations().await,
        }
    }

    pub async fn create(self, input: &NewDelegation) -> Result<Delegation, ApiError> {
        match self {
            DelegationClient::Admin(api) => api.create_delegation(input).await,
            DelegationClient::Portal(api) => api.create_delegation(input).await,
        }
    }

    pub async fn delete(self, id: Uuid) -> Result<(), ApiError> {
        match self {
            DelegationClient::Admin(api) => api.delete_delegation(id).await,
            DelegationClient::Portal(api) => api.delete_delegation(id).await,
        }
    }
}
