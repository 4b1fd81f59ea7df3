//! Stored scripts for runbook steps: PowerShell 7, and bash or Python where an installation
//! allows them. Every save of a changed body keeps a new version. Scripts run on the workers
//! with their rights, so only administrators without a narrowed access scope change them.

use super::ApiJson;
use crate::auth::admin::{Admin, perm};
use crate::db::violated_constraint;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, audit::Change};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::json;
use shared::runbooks::{Script, ScriptInput, ScriptVersion, script_problems};
use uuid::Uuid;

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("There is no script with the id {id}."))
}

fn name_taken(error: sqlx::Error, name: &str) -> ApiError {
    if violated_constraint(&error) == Some("scripts_name_key") {
        ApiError::field("name", format!("a script named {name:?} exists already"))
    } else {
        error.into()
    }
}

async fn load(state: &AppState, id: Uuid) -> ApiResult<Script> {
    Ok(store::scripts::find(&state.db, id)
        .await?
        .ok_or_else(|| not_found(id))?
        .dto())
}

/// Lists the scripts with their current version.
#[utoipa::path(get, path = "/api/v1/scripts", tag = "runbooks",
    responses((status = 200, body = Vec<Script>)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<Vec<Script>>> {
    let rows = store::scripts::list(&state.db).await?;
    Ok(Json(rows.iter().map(|r| r.dto()).collect()))
}

/// Creates a script as version 1.
#[utoipa::path(post, path = "/api/v1/scripts", tag = "runbooks",
    request_body = ScriptInput,
    responses((status = 201, body = Script), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn create(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<ScriptInput>,
) -> ApiResult<(StatusCode, Json<Script>)> {
    ApiError::check(script_problems(&input))?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let id = store::scripts::insert(&mut tx, &input, admin.actor.as_str(), now)
        .await
        .map_err(|e| name_taken(e, &input.name))?;
    let change = Change {
        action: "script.create",
        entity_type: "script",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({
            "name": input.name.trim(), "language": input.language, "version": 1,
            "body": input.body,
        })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(load(&state, id).await?)))
}

/// Returns a script's current version.
#[utoipa::path(get, path = "/api/v1/scripts/{id}", tag = "runbooks",
    params(("id" = Uuid, Path, description = "Script id")),
    responses((status = 200, body = Script), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn get(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Script>> {
    Ok(Json(load(&state, id).await?))
}

/// Saves a script; a changed body becomes a new version, and the old ones stay readable. A new
/// name is written into the runbook steps that ran the script by its old one.
#[utoipa::path(put, path = "/api/v1/scripts/{id}", tag = "runbooks",
    params(("id" = Uuid, Path, description = "Script id")),
    request_body = ScriptInput,
    responses((status = 200, body = Script), (status = 404, body = shared::Problem),
        (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn update(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<ScriptInput>,
) -> ApiResult<Json<Script>> {
    ApiError::check(script_problems(&input))?;
    let before = load(&state, id).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let version = store::scripts::update(&mut tx, id, &input, admin.actor.as_str(), now)
        .await
        .map_err(|e| name_taken(e, &input.name))?
        .ok_or_else(|| not_found(id))?;
    let change = Change {
        action: "script.update",
        entity_type: "script",
        entity_id: id.to_string(),
        before: Some(json!({
            "name": before.name, "language": before.language, "version": before.version,
            "body": before.body,
        })),
        after: Some(json!({
            "name": input.name.trim(), "language": input.language, "version": version,
            "body": input.body,
        })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    let new_name = input.name.trim();
    if before.name != new_name {
        rename_in_runbooks(&mut tx, &admin, &before.name, new_name, now).await?;
    }
    tx.commit().await?;
    Ok(Json(load(&state, id).await?))
}

/// Keeps the runbooks that run a renamed script working: their steps take the new name, and
/// each change is audited as an update of the runbook.
async fn rename_in_runbooks(
    tx: &mut store::Tx<'_>,
    admin: &Admin<perm::SettingsWrite>,
    from: &str,
    to: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    for (runbook_id, runbook_name) in store::scripts::rename_in_runbooks(tx, from, to, now).await? {
        let change = Change {
            action: "runbook.update",
            entity_type: "runbook",
            entity_id: runbook_id.to_string(),
            before: Some(json!({ "name": runbook_name, "script": from })),
            after: Some(json!({ "name": runbook_name, "script": to })),
        };
        store::audit::record(tx, &admin.actor, now, change).await?;
    }
    Ok(())
}

/// Deletes a script with its versions, unless a runbook's step names it.
#[utoipa::path(delete, path = "/api/v1/scripts/{id}", tag = "runbooks",
    params(("id" = Uuid, Path, description = "Script id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "A runbook's step runs it")),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn delete(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let before = load(&state, id).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    // A runbook that provisions orders would fail at this step from now on.
    let users = store::scripts::used_by(&mut tx, &before.name).await?;
    if !users.is_empty() {
        return Err(ApiError::conflict(format!(
            "The script is run by the runbooks {}; choose another script in their steps first.",
            users.join(", ")
        )));
    }
    if !store::scripts::delete(&mut tx, id).await? {
        return Err(not_found(id));
    }
    let change = Change {
        action: "script.delete",
        entity_type: "script",
        entity_id: id.to_string(),
        before: Some(json!({ "name": before.name, "version": before.version })),
        after: None,
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lists every saved version of a script, newest first.
#[utoipa::path(get, path = "/api/v1/scripts/{id}/versions", tag = "runbooks",
    params(("id" = Uuid, Path, description = "Script id")),
    responses((status = 200, body = Vec<ScriptVersion>), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn versions(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<ScriptVersion>>> {
    load(&state, id).await?;
    Ok(Json(store::scripts::versions(&state.db, id).await?))
}
