use shared::Page;
use shared::orders::{NewOrder, Order, OrderDetail, OrderExtension, OrderModification};
use uuid::Uuid;

use super::PortalApi;
use crate::api::query::with_query;
use crate::api::{ApiError, PAGE_SIZE};

impl PortalApi {
    /// Places an order. The server responds 422 with field errors when it breaks a rule.
    pub async fn place_order(self, order: &NewOrder) -> Result<Order, ApiError> {
        self.post("/api/v1/portal/orders", Some(order)).await
    }

    /// Lists the signed-in person's orders, newest first.
    pub async fn my_orders(self, cursor: Option<String>) -> Result<Page<Order>, ApiError> {
        let parameters = [("limit", Some(PAGE_SIZE.to_string())), ("cursor", cursor)];
        let url = with_query("/api/v1/portal/orders", &parameters);
        self.get(&url).await
    }

    pub async fn my_order(self, id: Uuid) -> Result<OrderDetail, ApiError> {
        self.get(&format!("/api/v1/portal/orders/{id}")).await
    }

    /// Gives access back early. The server responds 409 with `current_state` when the order is
    /// not in a state that can be returned.
    pub async fn return_order(self, id: Uuid) -> Result<Order, ApiError> {
        let url = format!("/api/v1/portal/orders/{id}/return");
        self.post::<(), Order>(&url, None).await
    }

    /// Cancels an order that is still waiting for approval, which also makes the approvers'
    /// e-mailed links stop working. The server responds 409 with `current_state` when the
    /// order is no longer waiting for approval.
    pub async fn cancel_order(self, id: Uuid) -> Result<Order, ApiError> {
        let url = format!("/api/v1/portal/orders/{id}/cancel");
        self.post::<(), Order>(&url, None).await
    }

    /// Extends active access by `days`. The order comes back active when the extension applies
    /// at once, or `modification_pending` while it waits for approval. The server responds 409
    /// when the order cannot be extended (any more).
    pub async fn extend_order(self, id: Uuid, days: i32) -> Result<Order, ApiError> {
        let url = format!("/api/v1/portal/orders/{id}/extend");
        self.post(&url, Some(&OrderExtension { days })).await
    }

    /// Replaces the attribute values of active access with the complete new set `attributes`.
    /// The server responds 422 with field errors `attributes.<key>`.
    pub async fn modify_order(
        self,
        id: Uuid,
        attributes: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Order, ApiError> {
        let url = format!("/api/v1/portal/orders/{id}/modify");
        self.post(&url, Some(&OrderModification { attributes }))
            .await
    }
}
