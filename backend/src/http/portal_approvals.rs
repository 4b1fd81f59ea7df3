//! The portal's approvals inbox and each employee's own out-of-office windows.

use super::ApiJson;
use crate::auth::portal::PortalUser;
use crate::error::{ApiError, ApiResult};
use crate::lifecycle;
use crate::lifecycle::routing::Router;
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use shared::approvals::{Delegation, InboxDecision, InboxItem, NewDelegation};
use shared::orders::DecisionOutcome;
use utoipa::IntoParams;
use uuid::Uuid;

/// The maximum number of items the inbox lists at once.
const INBOX_LIMIT: i64 = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    /// `pending` (the default) for approvals waiting for me, `decided` for my latest decisions.
    pub state: Option<String>,
}

/// Lists the approvals addressed to me: those waiting, oldest first, or my latest decisions.
#[utoipa::path(get, path = "/api/v1/portal/approvals", tag = "portal",
    params(InboxParams),
    responses((status = 200, body = Vec<InboxItem>), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn inbox(
    State(state): State<AppState>,
    user: PortalUser,
    Query(params): Query<InboxParams>,
) -> ApiResult<Json<Vec<InboxItem>>> {
    let pending = match params.state.as_deref() {
        None | Some("pending") => true,
        Some("decided") => false,
        Some(_) => return Err(ApiError::field("state", "must be pending or decided")),
    };
    let approvals =
        store::approvals::for_approver(&state.db, &user.user.email, pending, INBOX_LIMIT).await?;
    let mut items = Vec::with_capacity(approvals.len());
    for approval in approvals {
        let Some(order) = store::orders::find(&state.db, approval.order_id).await? else {
            continue;
        };
        let definition = store::definitions::find(&state.db, order.definition_id).await?;
        let group = match approval.group_id {
            Some(id) => store::approval_groups::for_order(&state.db, order.id)
                .await?
                .into_iter()
                .find(|(g, _)| g.id == id)
                .map(|(g, approved)| g.dto(u32::try_from(approved).unwrap_or(0))),
            None => None,
        };
        let (classification, monthly_cost) = match &definition {
            Some(d) => (
                lifecycle::routing::strictest(&d.attributes.0, &order.attributes.0),
                d.dto().monthly_cost,
            ),
            None => Default::default(),
        };
        items.push(InboxItem {
            approval: approval.dto(),
            order: order.dto(),
            group,
            classification,
            monthly_cost,
        });
    }
    Ok(Json(items))
}

/// Approves or declines an approval addressed to me.
#[utoipa::path(post, path = "/api/v1/portal/approvals/{id}/decision", tag = "portal",
    params(("id" = Uuid, Path, description = "Approval id")),
    request_body = InboxDecision,
    responses(
        (status = 200, body = DecisionOutcome),
        (status = 403, body = shared::Problem, description = "Separation of duties forbids it"),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "Decided already"),
    ),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn decide(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<InboxDecision>,
) -> ApiResult<Json<DecisionOutcome>> {
    Ok(Json(
        lifecycle::decide::decide_in_portal(&state, &user, id, &input).await?,
    ))
}

/// Lists my out-of-office windows that have not ended.
#[utoipa::path(get, path = "/api/v1/portal/delegations", tag = "portal",
    responses((status = 200, body = Vec<Delegation>)),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn my_delegations(
    State(state): State<AppState>,
    user: PortalUser,
) -> ApiResult<Json<Vec<Delegation>>> {
    let rows =
        store::delegations::current(&state.db, Some(&user.user.email), state.clock.now()).await?;
    Ok(Json(rows.iter().map(|r| r.dto()).collect()))
}

/// Sets an out-of-office window for me: approvals for me created inside it go to my delegate.
#[utoipa::path(post, path = "/api/v1/portal/delegations", tag = "portal",
    request_body = NewDelegation,
    responses(
        (status = 201, body = Delegation),
        (status = 403, body = shared::Problem, description = "Another person was named"),
        (status = 422, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn create_delegation(
    State(state): State<AppState>,
    user: PortalUser,
    ApiJson(input): ApiJson<NewDelegation>,
) -> ApiResult<(StatusCode, Json<Delegation>)> {
    ApiError::check(shared::approvals::delegation_errors(
        &input,
        state.clock.now(),
    ))?;
    let me = user.user.person();
    let router = Router::new(&state).await?;
    if let Some(account) = input
        .person
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        let named = super::approvals::approver_field(&router, account, "person").await?;
        if !lifecycle::routing::same_person(&named, &me) {
            return Err(ApiError::Forbidden(
                "You can set out-of-office windows only for yourself; an administrator sets them for others."
                    .into(),
            ));
        }
    }
    let row = super::approvals::save_delegation(&state, &router, &me, &input, &user.actor).await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Ends one of my out-of-office windows.
#[utoipa::path(delete, path = "/api/v1/portal/delegations/{id}", tag = "portal",
    params(("id" = Uuid, Path, description = "Delegation id")),
    responses((status = 204), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn revoke_delegation(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let row = store::delegations::find(&state.db, id)
        .await?
        .filter(|r| r.revoked_at.is_none())
        .filter(|r| lifecycle::routing::same_person(&r.person(), &user.user.person()))
        .ok_or_else(|| {
            ApiError::NotFound(format!("You have no current delegation with the id {id}."))
        })?;
    super::approvals::revoke(&state, &row, &user.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}
