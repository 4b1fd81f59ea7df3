use shared::Page;
use shared::orders::{Order, OrderDetail, OrderState};
use uuid::Uuid;

use super::AdminApi;
use crate::api::query::with_query;
use crate::api::{ApiError, PAGE_SIZE};

impl AdminApi {
    /// Lists orders, newest first, optionally only those in `state`.
    pub async fn orders(
        self,
        state: Option<OrderState>,
        cursor: Option<String>,
    ) -> Result<Page<Order>, ApiError> {
        let parameters = [
            ("state", state.map(|state| state.as_str().to_string())),
            ("limit", Some(PAGE_SIZE.to_string())),
            ("cursor", cursor),
        ];
        let url = with_query("/api/v1/orders", &parameters);
        self.get(&url).await
    }

    pub async fn order(self, id: Uuid) -> Result<OrderDetail, ApiError> {
        self.get(&format!("/api/v1/orders/{id}")).await
    }
}
