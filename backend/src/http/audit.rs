//! The audit log for auditors and admins: filtered, paginated, and exported as CSV.

use super::PageParams;
use crate::auth::admin::{Admin, perm};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, audit::AuditFilter};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::Page;
use shared::audit::AuditEntry;
use utoipa::IntoParams;

/// The most rows one CSV export holds; narrow the time range for more.
const EXPORT_MAX_ROWS: i64 = 100_000;

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
    /// Rows at or after this time (RFC 3339).
    pub from: Option<String>,
    /// Rows before this time (RFC 3339).
    pub until: Option<String>,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

fn time(field: &str, value: Option<String>) -> ApiResult<Option<DateTime<Utc>>> {
    match non_empty(value) {
        None => Ok(None),
        Some(text) => DateTime::parse_from_rfc3339(&text)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| ApiError::field(field, "must be a time such as 2026-12-01T00:00:00Z")),
    }
}

fn filter(query: AuditQuery, page: &PageParams, limit: i64) -> ApiResult<AuditFilter> {
    Ok(AuditFilter {
        from: time("from", query.from)?,
        until: time("until", query.until)?,
        entity_type: non_empty(query.entity_type),
        entity_id: non_empty(query.entity_id),
        actor: non_empty(query.actor),
        action: non_empty(query.action),
        after: page.after()?,
        limit,
    })
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
    let filter = filter(query, &page, page.limit()?)?;
    let (items, next_cursor) = store::audit::list(&state.db, &filter).await?;
    Ok(Json(Page { items, next_cursor }))
}

/// Makes a cell safe to open in a spreadsheet: a leading `=`, `+`, `-`, `@`, tab or carriage
/// return would start a formula, so such a cell gets a leading apostrophe.
pub fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn json_cell(value: &Option<serde_json::Value>) -> String {
    value.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

/// Exports the filtered audit rows as CSV, newest first, at most 100,000 rows.
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "CSV with a header row", content_type = "text/csv"),
        (status = 422, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("audit_read"))))]
pub async fn export(
    State(state): State<AppState>,
    admin: Admin<perm::AuditRead>,
    Query(query): Query<AuditQuery>,
) -> ApiResult<impl IntoResponse> {
    let page = PageParams {
        limit: None,
        cursor: None,
    };
    let filter = filter(query, &page, EXPORT_MAX_ROWS)?;
    let (rows, _) = store::audit::list(&state.db, &filter).await?;

    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "at",
        "actor",
        "action",
        "entity_type",
        "entity_id",
        "before",
        "after",
    ];
    writer.write_record(header).map_err(anyhow::Error::from)?;
    for row in &rows {
        let record = [
            row.at.to_rfc3339(),
            row.actor.clone(),
            row.action.clone(),
            row.entity_type.clone(),
            row.entity_id.clone(),
            json_cell(&row.before),
            json_cell(&row.after),
        ];
        let safe: Vec<String> = record.iter().map(|cell| spreadsheet_safe(cell)).collect();
        writer.write_record(&safe).map_err(anyhow::Error::from)?;
    }
    let body = writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(rows = rows.len(), actor = %admin.actor, "audit log exported");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ipsolis-audit.csv\"",
            ),
        ],
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("-1+2"), "'-1+2");
        assert_eq!(spreadsheet_safe("portal:user:a@b"), "portal:user:a@b");
    }
}
