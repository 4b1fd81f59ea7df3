//! The audit log for auditors and admins.

use super::PageParams;
use crate::auth::admin::{Admin, perm};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::{self, audit::AuditFilter};
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use shared::Page;
use shared::audit::AuditEntry;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Such as `order`, `approval`, `settings` or `admin_user`.
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// The exact actor, such as `portal:user:jdoe@example.test`.
    pub actor: Option<String>,
    /// Such as `order.transition` or `settings.update`.
    pub action: Option<String>,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// Lists audit rows, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(PageParams, AuditQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("audit_read"))))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin<perm::AuditRead>,
    Query(page): Query<PageParams>,
    Query(query): Query<AuditQuery>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let filter = AuditFilter {
        entity_type: non_empty(query.entity_type),
        entity_id: non_empty(query.entity_id),
        actor: non_empty(query.actor),
        action: non_empty(query.action),
        after: page.after()?,
        limit: page.limit()?,
    };
    let (items, next_cursor) = store::audit::list(&state.db, &filter).await?;
    Ok(Json(Page { items, next_cursor }))
}
