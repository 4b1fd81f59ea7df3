use shared::Page;
use shared::orders::{NewOrder, Order, OrderDetail};
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
}
