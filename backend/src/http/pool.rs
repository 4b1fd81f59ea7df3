//! The asset pool: instances of definitions and their statuses.

use super::ApiJson;
use crate::auth::admin::{Admin, perm};
use crate::db::violated_constraint;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::assets::{AssetFilter, AssetRow};
use crate::store::{self, audit::Change};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;
use shared::Page;
use shared::pool::{
    Asset, AssetInput, AssetStatus, AssetStatusChange, CapacityTile, ImportReport, ImportRowError,
};
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PoolQuery {
    /// Only instances of this definition.
    pub definition_id: Option<Uuid>,
    /// Only instances in this status, such as `free` or `maintenance`.
    pub status: Option<String>,
    /// Text the name contains, compared without regard to case.
    pub q: Option<String>,
    /// Items per page, 1 to 200; 50 when left out.
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("No asset has the id {id}."))
}

fn audit_value(row: &AssetRow) -> serde_json::Value {
    json!({
        "definition_id": row.definition_id,
        "name": row.name,
        "metadata": row.metadata.0,
        "status": row.status,
    })
}

/// Lists instances by name, with filters.
#[utoipa::path(get, path = "/api/v1/assets", tag = "pool",
    params(PoolQuery),
    responses((status = 200, body = Page<Asset>), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("catalog_read"))))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin<perm::CatalogRead>,
    Query(query): Query<PoolQuery>,
) -> ApiResult<Json<Page<Asset>>> {
    let page = super::PageParams {
        limit: query.limit,
        cursor: None,
    };
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(name) => Some(AssetStatus::parse(name).ok_or_else(|| {
            ApiError::field("status", "is not an asset status such as free or in_use")
        })?),
    };
    let after = match &query.cursor {
        None => None,
        Some(cursor) => Some(
            store::cursor::decode_text(cursor)
                .ok_or_else(|| ApiError::field("cursor", "is not a cursor this API returned"))?,
        ),
    };
    let search = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| q.chars().take(120).collect());
    let filter = AssetFilter {
        definition_id: query.definition_id,
        status,
        search,
        after,
        limit: page.limit()?,
    };
    let (items, next_cursor) = store::assets::list(&state.db, &filter).await?;
    Ok(Json(Page { items, next_cursor }))
}

/// Returns one instance.
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "pool",
    params(("id" = Uuid, Path, description = "Asset id")),
    responses((status = 200, body = Asset), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("catalog_read"))))]
pub async fn get(
    State(state): State<AppState>,
    _admin: Admin<perm::CatalogRead>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Asset>> {
    let row = store::assets::find(&state.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(row.dto()))
}

/// Checks the input and that the admin's scope covers the definition it names.
async fn checked_definition(
    state: &AppState,
    admin: &Admin<perm::CatalogWrite>,
    input: &AssetInput,
) -> ApiResult<()> {
    ApiError::check(shared::pool::validate(input))?;
    pool_definition(state, admin, input.definition_id).await
}

/// Checks that the admin's scope covers the definition and that it has a pool of instances.
async fn pool_definition(
    state: &AppState,
    admin: &Admin<perm::CatalogWrite>,
    definition_id: Uuid,
) -> ApiResult<()> {
    let definition = store::definitions::find(&state.db, definition_id)
        .await?
        .filter(|d| admin.covers(d.id, &d.category))
        .ok_or_else(|| {
            ApiError::field(
                "definition_id",
                "no asset definition you manage has this id",
            )
        })?;
    if definition.assignment() == shared::catalog::AssignmentModel::CapacityPooled {
        return Err(ApiError::field(
            "definition_id",
            "names a capacity_pooled definition, which has a quota instead of instances",
        ));
    }
    Ok(())
}

fn name_taken(error: sqlx::Error) -> ApiError {
    if violated_constraint(&error) == Some("assets_name_key") {
        ApiError::field("name", "another instance of this definition has this name")
    } else {
        error.into()
    }
}

/// Adds an instance to the pool, free.
#[utoipa::path(post, path = "/api/v1/assets", tag = "pool",
    request_body = AssetInput,
    responses((status = 201, body = Asset), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("catalog_write"))))]
pub async fn create(
    State(state): State<AppState>,
    admin: Admin<perm::CatalogWrite>,
    ApiJson(input): ApiJson<AssetInput>,
) -> ApiResult<(StatusCode, Json<Asset>)> {
    checked_definition(&state, &admin, &input).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let id = store::assets::insert(&mut tx, &input, now)
        .await
        .map_err(name_taken)?;
    let row = store::assets::find_for_update(&mut tx, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("asset {id} vanished in its transaction"))?;
    let change = Change {
        action: "asset.create",
        entity_type: "asset",
        entity_id: id.to_string(),
        before: None,
        after: Some(audit_value(&row)),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(row.dto())))
}

/// Changes an instance's name and metadata. Its definition cannot change.
#[utoipa::path(put, path = "/api/v1/assets/{id}", tag = "pool",
    params(("id" = Uuid, Path, description = "Asset id")),
    request_body = AssetInput,
    responses(
        (status = 200, body = Asset),
        (status = 404, body = shared::Problem),
        (status = 422, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("catalog_write"))))]
pub async fn update(
    State(state): State<AppState>,
    admin: Admin<perm::CatalogWrite>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<AssetInput>,
) -> ApiResult<Json<Asset>> {
    checked_definition(&state, &admin, &input).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let before = store::assets::find_for_update(&mut tx, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if before.definition_id != input.definition_id {
        return Err(ApiError::field(
            "definition_id",
            "cannot change; add a new instance to the other definition instead",
        ));
    }
    store::assets::update(&mut tx, id, &input, now)
        .await
        .map_err(name_taken)?;
    let after = store::assets::find_for_update(&mut tx, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let change = Change {
        action: "asset.update",
        entity_type: "asset",
        entity_id: id.to_string(),
        before: Some(audit_value(&before)),
        after: Some(audit_value(&after)),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok(Json(after.dto()))
}

/// Sets an instance's status by hand, for example into maintenance or back to free after a
/// reinstall. Only orders put an instance in use or release it.
#[utoipa::path(post, path = "/api/v1/assets/{id}/status", tag = "pool",
    params(("id" = Uuid, Path, description = "Asset id")),
    request_body = AssetStatusChange,
    responses(
        (status = 200, body = Asset),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "Not a move allowed from the current status"),
    ),
    extensions(("x-permission" = json!("catalog_write"))))]
pub async fn set_status(
    State(state): State<AppState>,
    admin: Admin<perm::CatalogWrite>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<AssetStatusChange>,
) -> ApiResult<Json<Asset>> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let before = store::assets::find_for_update(&mut tx, id)
        .await?
        .filter(|a| admin.covers(a.definition_id, &a.definition_category))
        .ok_or_else(|| not_found(id))?;
    let from = before.status();
    if !from.manual_moves().contains(&input.status) {
        let allowed: Vec<&str> = from
            .manual_moves()
            .into_iter()
            .map(AssetStatus::as_str)
            .collect();
        return Err(ApiError::Conflict {
            detail: format!(
                "{} is {}; from there it can be set to {}.",
                before.name,
                from.label().to_lowercase(),
                if allowed.is_empty() {
                    "nothing by hand, because its orders decide".to_string()
                } else {
                    allowed.join(", ")
                }
            ),
            current_state: Some(from.as_str().to_string()),
        });
    }
    store::assets::set_status(&mut tx, id, from, input.status, now).await?;
    let change = Change {
        action: "asset.status",
        entity_type: "asset",
        entity_id: id.to_string(),
        before: Some(json!({ "status": from })),
        after: Some(json!({ "status": input.status })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    let after = store::assets::find_for_update(&mut tx, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    tx.commit().await?;
    Ok(Json(after.dto()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The definition the instances belong to.
    pub definition_id: Uuid,
    /// With `true`, only checks the file and shows what would be created.
    #[serde(default)]
    pub dry_run: bool,
}

/// Imports instances from a CSV file with a `name` column, an optional `status` column
/// (`free` or `maintenance`) and any other columns as metadata. A dry run reports what would
/// happen. A real import with any row error creates nothing and returns 422 with every error.
#[utoipa::path(post, path = "/api/v1/assets/import", tag = "pool",
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "At most 10,000 rows and 2 MB"),
    responses(
        (status = 200, body = ImportReport, description = "Dry run"),
        (status = 201, body = ImportReport, description = "Imported"),
        (status = 422, body = shared::Problem, description = "Row errors; nothing was created"),
    ),
    extensions(("x-permission" = json!("catalog_write"))))]
pub async fn import(
    State(state): State<AppState>,
    admin: Admin<perm::CatalogWrite>,
    Query(query): Query<ImportQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<ImportReport>)> {
    let is_csv = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv"));
    if !is_csv {
        return Err(ApiError::BadRequest(
            "Send the file as text/csv with a header row such as name,status,host.".into(),
        ));
    }
    pool_definition(&state, &admin, query.definition_id).await?;

    // Invalid UTF-8 becomes U+FFFD, which the parser reports with its line.
    let parsed = crate::domain::pool_import::parse(&String::from_utf8_lossy(&body));
    let mut errors = parsed.errors;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let names: Vec<String> = parsed.rows.iter().map(|r| r.name.to_lowercase()).collect();
    let taken = store::assets::existing_names(&mut tx, query.definition_id, &names).await?;
    let (rows, clashes): (Vec<_>, Vec<_>) = parsed
        .rows
        .into_iter()
        .partition(|r| !taken.contains(&r.name.to_lowercase()));
    for row in &clashes {
        errors.push(ImportRowError {
            line: row.line,
            column: Some("name".into()),
            message: format!("an instance named {} already exists", row.name),
        });
    }
    errors.sort_by_key(|e| e.line);
    let mut report = ImportReport {
        dry_run: query.dry_run,
        rows: parsed.total,
        created: 0,
        errors,
        preview: rows.iter().take(50).cloned().collect(),
    };
    if query.dry_run {
        return Ok((StatusCode::OK, Json(report)));
    }
    if !report.errors.is_empty() {
        let fields = report
            .errors
            .iter()
            .map(|e| {
                let column = e
                    .column
                    .as_deref()
                    .map_or(String::new(), |c| format!(".{c}"));
                shared::FieldError::new(format!("line[{}]{column}", e.line), e.message.clone())
            })
            .collect();
        return Err(ApiError::Validation(fields));
    }
    if rows.is_empty() {
        return Err(ApiError::BadRequest(
            "The file contains no rows to import; add rows below the header.".into(),
        ));
    }
    report.created = store::assets::insert_many(&mut tx, query.definition_id, &rows, now)
        .await
        .map_err(name_taken)?;
    let change = Change {
        action: "asset.import",
        entity_type: "asset_definition",
        entity_id: query.definition_id.to_string(),
        before: None,
        after: Some(json!({
            "created": report.created,
            "names": rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    tracing::info!(definition_id = %query.definition_id, created = report.created, "pool instances imported");
    Ok((StatusCode::CREATED, Json(report)))
}

/// Free and used slots of every active definition, with a warning level at 80 % and 95 %.
#[utoipa::path(get, path = "/api/v1/dashboard/capacity", tag = "pool",
    params(super::PageParams),
    responses((status = 200, body = Page<CapacityTile>)),
    extensions(("x-permission" = json!("catalog_read"))))]
pub async fn capacity(
    State(state): State<AppState>,
    _admin: Admin<perm::CatalogRead>,
    Query(page): Query<super::PageParams>,
) -> ApiResult<Json<Page<CapacityTile>>> {
    let limit = page.limit()?;
    let after = match &page.cursor {
        None => None,
        Some(cursor) => Some(
            store::cursor::decode_text(cursor)
                .ok_or_else(|| ApiError::field("cursor", "is not a cursor this API returned"))?,
        ),
    };
    let mut rows = store::assets::capacity(&state.db, after, limit + 1).await?;
    let next_cursor = store::audit::page_cursor(&mut rows, limit, |row| {
        store::cursor::encode_text(&row.sort_key, row.id)
    });
    Ok(Json(Page {
        items: rows.iter().map(|row| row.tile()).collect(),
        next_cursor,
    }))
}
