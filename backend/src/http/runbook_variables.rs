//! Global variables and secrets for runbook templates (`vars.NAME`, `secrets.NAME`). A secret
//! is encrypted at rest and never returned; its audit rows record only that it changed.

use super::ApiJson;
use crate::auth::admin::{Admin, perm};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, audit::Change, variables::VariableRow};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::json;
use shared::runbooks::{RunbookVariable, VariableInput, variable_name_problem};

const VALUE_MAX: usize = shared::runbooks::VARIABLE_VALUE_MAX;

fn dto(row: &VariableRow) -> RunbookVariable {
    RunbookVariable {
        name: row.name.clone(),
        secret: row.secret,
        value: (!row.secret).then(|| row.value.clone()),
        updated_at: row.updated_at,
    }
}

fn check_name(name: &str) -> ApiResult<()> {
    match variable_name_problem(name) {
        Some(message) => Err(ApiError::field("name", message)),
        None => Ok(()),
    }
}

/// Lists the variables; secrets show without their value.
#[utoipa::path(get, path = "/api/v1/runbook-variables", tag = "runbooks",
    responses((status = 200, body = Vec<RunbookVariable>)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<Vec<RunbookVariable>>> {
    let rows = store::variables::list(&state.db).await?;
    Ok(Json(rows.iter().map(dto).collect()))
}

/// Sets a variable or a secret.
#[utoipa::path(put, path = "/api/v1/runbook-variables/{name}", tag = "runbooks",
    params(("name" = String, Path, description = "Variable name: a-z, 0-9 and _")),
    request_body = VariableInput,
    responses((status = 200, body = RunbookVariable), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn put(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    Path(name): Path<String>,
    ApiJson(input): ApiJson<VariableInput>,
) -> ApiResult<Json<RunbookVariable>> {
    check_name(&name)?;
    if input.value.len() > VALUE_MAX {
        return Err(ApiError::field(
            "value",
            format!("must be at most {VALUE_MAX} bytes long"),
        ));
    }
    let min = crate::runbooks::template::SECRET_MIN;
    if input.secret && input.value.chars().count() < min {
        return Err(ApiError::field(
            "value",
            format!("a secret must be at least {min} characters long, so it can be masked"),
        ));
    }
    let stored = if input.secret {
        state.keys.encrypt_secret(&input.value)
    } else {
        input.value.clone()
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let before = store::variables::find(&mut tx, &name).await?;
    store::variables::upsert(&mut tx, &name, input.secret, &stored, now).await?;
    let describe = |secret: bool, value: &str| {
        if secret {
            json!({ "secret": true })
        } else {
            json!({ "secret": false, "value": value })
        }
    };
    let mut after = describe(input.secret, &input.value);
    if input.secret {
        after["value_changed"] = json!(true);
    }
    let change = Change {
        action: if before.is_some() {
            "runbook_variable.update"
        } else {
            "runbook_variable.create"
        },
        entity_type: "runbook_variable",
        entity_id: name.clone(),
        before: before.as_ref().map(|b| describe(b.secret, &b.value)),
        after: Some(after),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok(Json(RunbookVariable {
        name,
        secret: input.secret,
        value: (!input.secret).then_some(input.value),
        updated_at: now,
    }))
}

/// Deletes a variable. Steps that read it fail with the name until it is set again.
#[utoipa::path(delete, path = "/api/v1/runbook-variables/{name}", tag = "runbooks",
    params(("name" = String, Path, description = "Variable name")),
    responses((status = 204, description = "Deleted"), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn delete(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let before = store::variables::find(&mut tx, &name).await?;
    if !store::variables::delete(&mut tx, &name).await? {
        return Err(ApiError::NotFound(format!(
            "There is no variable named {name:?}."
        )));
    }
    let change = Change {
        action: "runbook_variable.delete",
        entity_type: "runbook_variable",
        entity_id: name,
        before: before.map(|b| json!({ "secret": b.secret })),
        after: None,
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
