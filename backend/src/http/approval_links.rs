//! Signed approval links from e-mails. GET shows what the link would decide; POST decides.

use crate::error::ApiResult;
use crate::lifecycle::decide;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use shared::orders::{ApprovalLinkView, DecisionOutcome};

/// Shows the request and the decision a link carries, changing nothing.
#[utoipa::path(get, path = "/api/v1/approval-links/{token}", tag = "approvals",
    params(("token" = String, Path, description = "The signed token from the e-mail")),
    responses(
        (status = 200, body = ApprovalLinkView),
        (status = 404, body = shared::Problem, description = "The link is invalid"),
        (status = 410, body = shared::Problem, description = "The link expired"),
    ),
    extensions(("x-permission" = json!("public"))))]
pub async fn view(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<ApprovalLinkView>> {
    Ok(Json(decide::view(&state, &token).await?))
}

/// Carries out the decision a link carries. Each approval is decided once; later attempts get
/// 409 with the order's current state.
#[utoipa::path(post, path = "/api/v1/approval-links/{token}", tag = "approvals",
    params(("token" = String, Path, description = "The signed token from the e-mail")),
    responses(
        (status = 200, body = DecisionOutcome),
        (status = 404, body = shared::Problem, description = "The link is invalid"),
        (status = 409, body = shared::Problem, description = "Already decided"),
        (status = 410, body = shared::Problem, description = "The link expired"),
    ),
    extensions(("x-permission" = json!("public"))))]
pub async fn decide(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<DecisionOutcome>> {
    Ok(Json(decide::decide(&state, &token).await?))
}
