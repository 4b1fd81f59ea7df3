//! Asset definitions: what the catalog offers.

use super::{ApiJson, PageParams};
use crate::auth::admin::{Admin, perm};
use crate::db::violated_constraint;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::definitions::DefinitionRow;
use crate::store::{self, audit::Change};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use shared::Page;
use shared::catalog::{AssetDefinition, AssetDefinitionInput};
use uuid::Uuid;

fn name_taken(error: &sqlx::Error) -> Option<ApiError> {
    (violated_constraint(error) == Some("asset_definitions_name_key"))
        .then(|| ApiError::field("name", "another asset definition already has this name"))
}

fn audit_value(row: &DefinitionRow) -> serde_json::Value {
    serde_json::to_value(row.dto()).unwrap_or_default()
}

/// Lists asset definitions, oldest first.
#[utoipa::path(get, path = "/api/v1/asset-definitions", tag = "catalog",
    params(PageParams),
    responses((status = 200, body = Page<AssetDefinition>)),
    extensions(("x-permission" = json!("catalog_read"))))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin<perm::CatalogRead>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<AssetDefinition>>> {
    let filter = store::definitions::DefinitionFilter {
        after: page.after()?,
        limit: page.limit()?,
        ..Default::default()
    };
    let (rows, next_cursor) = store::definitions::list(&state.db, &filter).await?;
    Ok(Json(Page {
        items: rows.iter().map(DefinitionRow::dto).collect(),
        next_cursor,
    }))
}

/// Returns one asset definition.
#[utoipa::path(get, path = "/api/v1/asset-definitions/{id}", tag = "catalog",
    params(("id" = Uuid, Path, description = "Asset definition id")),
    responses((status = 200, body = AssetDefinition), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("catalog_read"))))]
pub async fn get(
    State(state): State<AppState>,
    _admin: Admin<perm::CatalogRead>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<AssetDefinition>> {
    let row = store::definitions::find(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No asset definition has the id {id}.")))?;
    Ok(Json(row.dto()))
}

/// Creates an asset definition.
#[utoipa::path(post, path = "/api/v1/asset-definitions", tag = "catalog",
    request_body = AssetDefinitionInput,
    responses((status = 201, body = AssetDefinition), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("catalog_write"))))]
pub async fn create(
    State(state): State<AppState>,
    admin: Admin<perm::CatalogWrite>,
    ApiJson(input): ApiJson<AssetDefinitionInput>,
) -> ApiResult<(StatusCode, Json<AssetDefinition>)> {
    ApiError::check(shared::validation::asset_definition(&input))?;
    super::approvals::check_satisfiable(&state, &input).await?;
    check_runbooks(&state, &admin, &input, None).await?;
    if !admin.scope.is_everywhere()
        && !admin
            .scope
            .categories
            .iter()
            .any(|c| c.trim().eq_ignore_ascii_case(input.category.trim()))
    {
        return Err(ApiError::field(
            "category",
            "is outside your access scope; pick one of the categories you manage",
        ));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let row = match store::definitions::insert(&mut tx, &input, now).await {
        Ok(row) => row,
        Err(e) => return Err(name_taken(&e).unwrap_or_else(|| e.into())),
    };
    let change = Change {
        action: "asset_definition.create",
        entity_type: "asset_definition",
        entity_id: row.id.to_string(),
        before: None,
        after: Some(audit_value(&row)),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    tracing::info!(definition_id = %row.id, name = %row.name, "asset definition created");
    Ok((StatusCode::CREATED, Json(row.dto())))
}

/// Replaces an asset definition. Orders already placed keep the groups they were placed with.
#[utoipa::path(put, path = "/api/v1/asset-definitions/{id}", tag = "catalog",
    params(("id" = Uuid, Path, description = "Asset definition id")),
    request_body = AssetDefinitionInput,
    responses(
        (status = 200, body = AssetDefinition),
        (status = 404, body = shared::Problem),
        (status = 422, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("catalog_write"))))]
pub async fn update(
    State(state): State<AppState>,
    admin: Admin<perm::CatalogWrite>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<AssetDefinitionInput>,
) -> ApiResult<Json<AssetDefinition>> {
    ApiError::check(shared::validation::asset_definition(&input))?;
    super::approvals::check_satisfiable(&state, &input).await?;
    let current = store::definitions::find(&state.db, id).await?;
    check_runbooks(&state, &admin, &input, current.as_ref()).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let before = store::definitions::find_for_update(&mut tx, id)
        .await?
        .filter(|d| admin.covers(d.id, &d.category))
        .ok_or_else(|| ApiError::NotFound(format!("No asset definition has the id {id}.")))?;
    if !admin.covers(id, &input.category) {
        return Err(ApiError::field(
            "category",
            "is outside your access scope; keep the definition in a category you manage",
        ));
    }
    let row = match store::definitions::update(&mut tx, id, &input, now).await {
        Ok(row) => row,
        Err(e) => return Err(name_taken(&e).unwrap_or_else(|| e.into())),
    };
    let change = Change {
        action: "asset_definition.update",
        entity_type: "asset_definition",
        entity_id: id.to_string(),
        before: Some(audit_value(&before)),
        after: Some(audit_value(&row)),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok(Json(row.dto()))
}

/// Checks that the runbooks a definition names exist, and that the admin may choose them.
/// A definition's runbooks run for every order, so setting or changing one needs the right to
/// change settings without a narrowed access scope, like starting a runbook by hand.
async fn check_runbooks(
    state: &AppState,
    admin: &crate::auth::admin::AdminPrincipal,
    input: &AssetDefinitionInput,
    before: Option<&store::definitions::DefinitionRow>,
) -> ApiResult<()> {
    let chosen = (
        input.provision_runbook_id,
        input.deprovision_runbook_id,
        input.reinstall_runbook_id,
    );
    let kept = before.map(|d| {
        (
            d.provision_runbook_id,
            d.deprovision_runbook_id,
            d.reinstall_runbook_id,
        )
    });
    let changes = chosen != kept.unwrap_or((None, None, None));
    let may =
        admin.allows(shared::permissions::Permission::SettingsWrite) && admin.scope.is_everywhere();
    if changes && !may {
        return Err(ApiError::Forbidden(
            "Choosing the runbooks of a definition starts them for every order, so it needs an              administrator without a narrowed access scope."
                .into(),
        ));
    }
    let named = [
        ("provision_runbook_id", input.provision_runbook_id),
        ("deprovision_runbook_id", input.deprovision_runbook_id),
        ("reinstall_runbook_id", input.reinstall_runbook_id),
    ];
    let mut errors = Vec::new();
    for (field, id) in named {
        if let Some(id) = id
            && !store::runbooks::exists(&state.db, id).await?
        {
            errors.push(shared::FieldError::new(
                field,
                format!("names no runbook ({id}); pick one from the runbook list"),
            ));
        }
    }
    ApiError::check(errors)
}
