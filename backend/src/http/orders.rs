//! Orders as admins see them.

use super::ApiJson;
use super::PageParams;
use crate::auth::admin::{Admin, perm};
use crate::error::{ApiError, ApiResult};
use crate::lifecycle::{self, decide::AdminDecider};
use crate::state::AppState;
use crate::store;
use crate::store::orders::{OrderFilter, OrderRow};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use shared::Page;
use shared::orders::{AdminDecision, DecisionOutcome, Order, OrderDetail, OrderState};
use shared::pool::AssetReassignment;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderQuery {
    /// Only orders in this state, such as `pending_approval` or `active`.
    pub state: Option<String>,
    /// Only orders of this asset definition.
    pub definition_id: Option<Uuid>,
    /// Text the requester's name or mail address contains, without regard to case.
    pub requester: Option<String>,
    /// Only orders placed on or after this day (`YYYY-MM-DD`, UTC).
    pub from: Option<chrono::NaiveDate>,
    /// Only orders placed on or before this day (`YYYY-MM-DD`, UTC).
    pub to: Option<chrono::NaiveDate>,
}

/// Loads an order with its approvals and timeline, beside the row it came from.
pub async fn detail(state: &AppState, id: Uuid) -> ApiResult<Option<(OrderRow, OrderDetail)>> {
    let Some(order) = store::orders::find(&state.db, id).await? else {
        return Ok(None);
    };
    let approvals = store::approvals::for_order(&state.db, id).await?;
    let events = store::orders::events(&state.db, id).await?;
    let approval_groups = store::approval_groups::for_order(&state.db, id)
        .await?
        .into_iter()
        .map(|(group, approved)| group.dto(u32::try_from(approved).unwrap_or(0)))
        .collect();
    let grants = store::orders::grants(&state.db, id).await?;
    let mut runs = Vec::new();
    for run in store::runs::all_for_order(&state.db, id).await? {
        let steps = store::runs::steps(&state.db, run.id).await?;
        runs.push(run.dto(steps.iter().map(|s| s.dto()).collect()));
    }
    let detail = OrderDetail {
        grants,
        runs,
        group_dns: order.group_dns.clone(),
        approval_groups,
        order: order.dto(),
        approvals: approvals.iter().map(|a| a.dto()).collect(),
        events,
    };
    Ok(Some((order, detail)))
}

/// Lists orders, newest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders",
    params(PageParams, OrderQuery),
    responses((status = 200, body = Page<Order>), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("orders_read"))))]
pub async fn list(
    State(state): State<AppState>,
    admin: Admin<perm::OrdersRead>,
    Query(page): Query<PageParams>,
    Query(query): Query<OrderQuery>,
) -> ApiResult<Json<Page<Order>>> {
    let order_state = match query.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(name) => Some(OrderState::parse(name).ok_or_else(|| {
            ApiError::field(
                "state",
                "is not an order state such as pending_approval or active",
            )
        })?),
    };
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from > to
    {
        return Err(ApiError::field("from", "must not be after to"));
    }
    let day_start = |day: chrono::NaiveDate| day.and_time(chrono::NaiveTime::MIN).and_utc();
    let filter = OrderFilter {
        state: order_state,
        scope: Some(&admin.scope),
        definition_id: query.definition_id,
        requester: query
            .requester
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| r.chars().take(120).collect()),
        created_from: query.from.map(day_start),
        created_before: query.to.and_then(|day| day.succ_opt()).map(day_start),
        after: page.after()?,
        limit: page.limit()?,
        ..OrderFilter::default()
    };
    let (items, next_cursor) = store::orders::list(&state.db, &filter).await?;
    Ok(Json(Page { items, next_cursor }))
}

/// Returns an order with its approvals and timeline.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = Uuid, Path, description = "Order id")),
    responses((status = 200, body = OrderDetail), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("orders_read"))))]
pub async fn get(
    State(state): State<AppState>,
    admin: Admin<perm::OrdersRead>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<OrderDetail>> {
    let (_, mut detail) = detail(&state, id)
        .await?
        .filter(|(_, d)| admin.covers(d.order.definition_id, &d.order.definition_category))
        .ok_or_else(|| not_found(id))?;
    // Run outputs and logs are for those who may read runbooks; others see the steps.
    if !admin.allows(shared::permissions::Permission::SettingsRead) {
        detail.runs = redact_runs(detail.runs, shared::runbooks::PortalSteps::Steps);
    }
    Ok(Json(detail))
}

/// Cuts an order's runs down to what `visibility` allows: nothing, the steps with their
/// state and timing, or those with their log lines. Outputs and read-backs stay with the
/// readers of runbooks, and only the order's provisioning and deprovisioning runs are shown.
pub fn redact_runs(
    runs: Vec<shared::runbooks::RunbookRun>,
    visibility: shared::runbooks::PortalSteps,
) -> Vec<shared::runbooks::RunbookRun> {
    use shared::runbooks::{PortalSteps, RunPurpose};
    if visibility == PortalSteps::Off {
        return Vec::new();
    }
    runs.into_iter()
        .filter(|run| matches!(run.purpose, RunPurpose::Provision | RunPurpose::Deprovision))
        .map(|mut run| {
            run.started_by = String::new();
            run.note = String::new();
            if visibility == PortalSteps::Steps {
                run.error = None;
            }
            for step in &mut run.steps {
                step.output = serde_json::json!({});
                step.readback = serde_json::json!({});
                if visibility == PortalSteps::Steps {
                    step.log.clear();
                    step.error = None;
                }
            }
            run
        })
        .collect()
}

/// Outside an admin's scope an order is reported missing, so its existence does not leak.
fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("No order has the id {id}."))
}

/// Approves or declines an order's pending approval from the admin SPA. The decider's mail
/// address must differ from the requester's when self-approval is forbidden.
#[utoipa::path(post, path = "/api/v1/orders/{id}/decision", tag = "orders",
    params(("id" = Uuid, Path, description = "Order id")),
    request_body = AdminDecision,
    responses(
        (status = 200, body = DecisionOutcome),
        (status = 403, body = shared::Problem, description = "Separation of duties"),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "No pending approval"),
    ),
    extensions(("x-permission" = json!("orders_decide"))))]
pub async fn decide(
    State(state): State<AppState>,
    admin: Admin<perm::OrdersDecide>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<AdminDecision>,
) -> ApiResult<Json<DecisionOutcome>> {
    let order = scoped_order(&state, &admin, id).await?;
    let email = match admin.user_id {
        Some(user_id) => store::admins::find_by_id(&state.db, user_id)
            .await?
            .and_then(|user| user.email),
        None => None,
    };
    let decider = AdminDecider {
        actor: &admin.actor,
        username: &admin.username,
        email: email.as_deref(),
    };
    let outcome = lifecycle::decide::decide_as_admin(&state, order.id, &input, decider).await?;
    Ok(Json(outcome))
}

/// Loads an order the admin's scope covers.
async fn scoped_order<P>(
    state: &AppState,
    admin: &Admin<P>,
    id: Uuid,
) -> ApiResult<store::orders::OrderRow> {
    store::orders::find(&state.db, id)
        .await?
        .filter(|o| admin.covers(o.definition_id, &o.definition_category))
        .ok_or_else(|| not_found(id))
}

/// Runs the failed step of a failed order again: provisioning or removing the access.
#[utoipa::path(post, path = "/api/v1/orders/{id}/retry", tag = "orders",
    params(("id" = Uuid, Path, description = "Order id")),
    responses(
        (status = 200, body = Order),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "The order has not failed"),
    ),
    extensions(("x-permission" = json!("orders_write"))))]
pub async fn retry(
    State(state): State<AppState>,
    admin: Admin<perm::OrdersWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Order>> {
    let order = scoped_order(&state, &admin, id).await?;
    Ok(Json(
        lifecycle::admin::retry(&state, &admin.actor, &order).await?,
    ))
}

/// Ends an active or failed order now; its access is removed as at expiry.
#[utoipa::path(post, path = "/api/v1/orders/{id}/end", tag = "orders",
    params(("id" = Uuid, Path, description = "Order id")),
    responses(
        (status = 200, body = Order),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "Not active or failed"),
    ),
    extensions(("x-permission" = json!("orders_write"))))]
pub async fn end(
    State(state): State<AppState>,
    admin: Admin<perm::OrdersWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Order>> {
    let order = scoped_order(&state, &admin, id).await?;
    Ok(Json(
        lifecycle::admin::end_now(&state, &admin.actor, &order).await?,
    ))
}

/// Moves an order to another instance of its definition, for example when its machine broke.
#[utoipa::path(post, path = "/api/v1/orders/{id}/asset", tag = "orders",
    params(("id" = Uuid, Path, description = "Order id")),
    request_body = AssetReassignment,
    responses(
        (status = 200, body = Order),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "No instance, closed, or no room"),
        (status = 422, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("orders_write"))))]
pub async fn reassign(
    State(state): State<AppState>,
    admin: Admin<perm::OrdersWrite>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<AssetReassignment>,
) -> ApiResult<Json<Order>> {
    let order = scoped_order(&state, &admin, id).await?;
    Ok(Json(
        lifecycle::admin::reassign(&state, &admin.actor, &order, &input).await?,
    ))
}
