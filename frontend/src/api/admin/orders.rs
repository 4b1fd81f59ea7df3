use chrono::NaiveDate;
use shared::Page;
use shared::orders::{AdminDecision, DecisionOutcome, Order, OrderDetail, OrderState};
use uuid::Uuid;

use super::AdminApi;
use crate::api::query::with_query;
use crate::api::{ApiError, PAGE_SIZE};

/// The filters of the orders list. The admin SPA keeps them in the page's query string under
/// the same names the API uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderFilter {
    pub state: Option<OrderState>,
    pub definition_id: Option<Uuid>,
    /// Text the requester's name or mail address contains.
    pub requester: String,
    /// The first day of creation, inclusive.
    pub from: Option<NaiveDate>,
    /// The last day of creation, inclusive.
    pub to: Option<NaiveDate>,
}

impl OrderFilter {
    /// Only orders in `state`.
    pub fn in_state(state: OrderState) -> Self {
        Self {
            state: Some(state),
            ..Self::default()
        }
    }

    /// Reads the filter from query parameters; `get` returns a parameter's value by name.
    /// Values that do not parse are left out.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let day = |name| get(name).and_then(|value| value.parse::<NaiveDate>().ok());
        Self {
            state: get("state").and_then(|value| OrderState::parse(&value)),
            definition_id: get("definition_id").and_then(|value| Uuid::parse_str(&value).ok()),
            requester: get("requester").unwrap_or_default().trim().to_string(),
            from: day("from"),
            to: day("to"),
        }
    }

    /// The filter's query parameters, without paging.
    pub fn parameters(&self) -> [(&'static str, Option<String>); 5] {
        [
            ("state", self.state.map(|state| state.as_str().to_string())),
            ("definition_id", self.definition_id.map(|id| id.to_string())),
            ("requester", Some(self.requester.trim().to_string())),
            ("from", self.from.map(|day| day.to_string())),
            ("to", self.to.map(|day| day.to_string())),
        ]
    }

    /// `path` with the filter as its query string.
    pub fn url(&self, path: &str) -> String {
        with_query(path, &self.parameters())
    }
}

impl AdminApi {
    /// Lists the orders that `filter` lets through, newest first.
    pub async fn orders(
        self,
        filter: OrderFilter,
        cursor: Option<String>,
    ) -> Result<Page<Order>, ApiError> {
        let url = filter.url("/api/v1/orders");
        let paging = [("limit", Some(PAGE_SIZE.to_string())), ("cursor", cursor)];
        self.get(&with_query(&url, &paging)).await
    }

    pub async fn order(self, id: Uuid) -> Result<OrderDetail, ApiError> {
        self.get(&format!("/api/v1/orders/{id}")).await
    }

    /// Approves or declines a pending approval of the order: `approval_id`, or the first
    /// pending one when it is `None`. The server responds 403 when separation of duties
    /// rejects the signed-in admin, 409 when no approval is pending and 404 when the order lies
    /// outside the admin's scope.
    pub async fn decide_order(
        self,
        id: Uuid,
        decision: AdminDecision,
    ) -> Result<DecisionOutcome, ApiError> {
        self.post(&format!("/api/v1/orders/{id}/decision"), Some(&decision))
            .await
    }

    /// Runs the failed step of a failed order again. The server responds 409 with a detail
    /// when the order has not failed.
    pub async fn retry_order(self, id: Uuid) -> Result<Order, ApiError> {
        self.post::<(), _>(&format!("/api/v1/orders/{id}/retry"), None)
            .await
    }

    /// Ends an active or failed order now; its access is removed as at expiry. The server
    /// responds 409 with a detail for an order in any other state.
    pub async fn end_order(self, id: Uuid) -> Result<Order, ApiError> {
        self.post::<(), _>(&format!("/api/v1/orders/{id}/end"), None)
            .await
    }
}
