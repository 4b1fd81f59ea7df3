//! Admin user accounts, for superadmins. Nobody changes their own role or active flag here,
//! and the last active superadmin can be neither demoted, deactivated nor deleted.

use super::{ApiJson, PageParams};
use crate::auth::admin::{Admin, perm};
use crate::db::violated_constraint;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::admins::{AccessFields, AdminUserRow};
use crate::store::{self, Tx, audit::Change};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use shared::Page;
use shared::admin_users::{AccessScope, AdminUser, AdminUserUpdate, NewAdminUser, PasswordReset};
use shared::permissions::Role;
use uuid::Uuid;

fn access(row: &AdminUserRow) -> serde_json::Value {
    json!({
        "username": row.username,
        "email": row.email,
        "role": row.role,
        "active": row.active,
        "scope": row.scope(),
    })
}

/// Trims the mail address, treating an empty one as none.
fn trimmed(email: Option<&str>) -> Option<String> {
    email
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
}

/// Refuses a scope naming a definition that does not exist.
async fn check_scope_definitions(state: &AppState, scope: &AccessScope) -> ApiResult<()> {
    if scope.definitions.is_empty() {
        return Ok(());
    }
    let known: Vec<Uuid> =
        sqlx::query_scalar("select id from asset_definitions where id = any($1)")
            .bind(&scope.definitions)
            .fetch_all(&state.db)
            .await?;
    let errors = scope
        .definitions
        .iter()
        .enumerate()
        .filter(|(_, id)| !known.contains(id))
        .map(|(index, id)| {
            shared::FieldError::new(
                format!("scope.definitions[{index}]"),
                format!("no asset definition has the id {id}"),
            )
        })
        .collect();
    ApiError::check(errors)
}

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("No admin user has the id {id}."))
}

/// Lists admin users by username.
#[utoipa::path(get, path = "/api/v1/admin-users", tag = "admin users",
    params(PageParams),
    responses((status = 200, body = Page<AdminUser>), (status = 403, body = shared::Problem)),
    extensions(("x-permission" = json!("users_write"))))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin<perm::UsersWrite>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<AdminUser>>> {
    let limit = page.limit()?;
    let after = match &page.cursor {
        None => None,
        Some(cursor) => Some(
            URL_SAFE_NO_PAD
                .decode(cursor)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| ApiError::field("cursor", "is not a cursor this API returned"))?,
        ),
    };
    let mut rows = store::admins::list(&state.db, after.as_deref(), limit + 1).await?;
    let next_cursor = store::audit::page_cursor(&mut rows, limit, |row| {
        URL_SAFE_NO_PAD.encode(&row.username)
    });
    Ok(Json(Page {
        items: rows.iter().map(AdminUserRow::dto).collect(),
        next_cursor,
    }))
}

/// Returns one admin user.
#[utoipa::path(get, path = "/api/v1/admin-users/{id}", tag = "admin users",
    params(("id" = Uuid, Path, description = "Admin user id")),
    responses((status = 200, body = AdminUser), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("users_write"))))]
pub async fn get(
    State(state): State<AppState>,
    _admin: Admin<perm::UsersWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<AdminUser>> {
    let row = store::admins::find_by_id(&state.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(row.dto()))
}

/// Creates an admin user.
#[utoipa::path(post, path = "/api/v1/admin-users", tag = "admin users",
    request_body = NewAdminUser,
    responses((status = 201, body = AdminUser), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("users_write"))))]
pub async fn create(
    State(state): State<AppState>,
    admin: Admin<perm::UsersWrite>,
    ApiJson(input): ApiJson<NewAdminUser>,
) -> ApiResult<(StatusCode, Json<AdminUser>)> {
    let username = input.username.trim().to_lowercase();
    let email = trimmed(input.email.as_deref());
    let mut errors = shared::validation::credentials(&username, &input.password);
    errors.extend(shared::validation::admin_user_details(
        email.as_deref(),
        &input.scope,
    ));
    ApiError::check(errors)?;
    check_scope_definitions(&state, &input.scope).await?;
    crate::security::check_new_password(&state, None, &input.password, "password").await?;
    let hash = state.passwords.hash(&input.password).await?;

    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    crate::security::check_role_conflicts(&mut tx, &username, email.as_deref(), input.role, None)
        .await?;
    let fields = AccessFields {
        role: input.role,
        active: true,
        email: email.as_deref(),
        scope: &input.scope,
    };
    let row = match store::admins::insert(&mut tx, &username, &hash, &fields, now).await {
        Ok(row) => row,
        Err(e) if violated_constraint(&e) == Some("admin_users_username_key") => {
            return Err(ApiError::field(
                "username",
                "another admin user has this username",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let change = Change {
        action: "admin_user.create",
        entity_type: "admin_user",
        entity_id: row.id.to_string(),
        before: None,
        after: Some(access(&row)),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    tracing::info!(admin_user_id = %row.id, role = %row.role, "admin user created");
    Ok((StatusCode::CREATED, Json(row.dto())))
}

/// Locks the active superadmins, then the target, and rejects a change that would leave no
/// active superadmin.
async fn guarded_target(
    tx: &mut Tx<'_>,
    id: Uuid,
    keeps_superadmin: bool,
) -> ApiResult<AdminUserRow> {
    // Superadmins are locked first and in id order, so concurrent changes serialize instead
    // of deadlocking.
    let superadmins = store::admins::lock_active_superadmins(tx).await?;
    let target = store::admins::find_for_update(tx, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let is_active_superadmin = target.active && target.role() == Role::Superadmin;
    if is_active_superadmin && !keeps_superadmin && superadmins.len() <= 1 {
        return Err(ApiError::conflict(format!(
            "{} is the last active superadmin; make another admin a superadmin first.",
            target.username
        )));
    }
    Ok(target)
}

/// Changes an admin user's role, scope, mail address and active flag; a change of role, scope
/// or active flag ends that user's sessions.
#[utoipa::path(put, path = "/api/v1/admin-users/{id}", tag = "admin users",
    params(("id" = Uuid, Path, description = "Admin user id")),
    request_body = AdminUserUpdate,
    responses(
        (status = 200, body = AdminUser),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "Own account, or the last superadmin"),
    ),
    extensions(("x-permission" = json!("users_write"))))]
pub async fn update(
    State(state): State<AppState>,
    admin: Admin<perm::UsersWrite>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<AdminUserUpdate>,
) -> ApiResult<Json<AdminUser>> {
    let email = trimmed(input.email.as_deref());
    ApiError::check(shared::validation::admin_user_details(
        email.as_deref(),
        &input.scope,
    ))?;
    check_scope_definitions(&state, &input.scope).await?;
    if admin.user_id == Some(id)
        && (input.role != admin.role || !input.active || input.scope != admin.scope)
    {
        return Err(ApiError::conflict(
            "You cannot change your own role or scope or deactivate yourself; ask another superadmin.",
        ));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let keeps = input.active && input.role == Role::Superadmin;
    let before = guarded_target(&mut tx, id, keeps).await?;
    if input.active {
        crate::security::check_role_conflicts(
            &mut tx,
            &before.username,
            email.as_deref(),
            input.role,
            Some(id),
        )
        .await?;
    }
    let fields = AccessFields {
        role: input.role,
        active: input.active,
        email: email.as_deref(),
        scope: &input.scope,
    };
    let after = store::admins::update_access(&mut tx, id, &fields, now).await?;
    let change = Change {
        action: "admin_user.update",
        entity_type: "admin_user",
        entity_id: id.to_string(),
        before: Some(access(&before)),
        after: Some(access(&after)),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok(Json(after.dto()))
}

/// Sets a new password for an admin user and ends that user's sessions.
#[utoipa::path(post, path = "/api/v1/admin-users/{id}/password", tag = "admin users",
    params(("id" = Uuid, Path, description = "Admin user id")),
    request_body = PasswordReset,
    responses(
        (status = 204, description = "Password set"),
        (status = 404, body = shared::Problem),
        (status = 422, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("users_write"))))]
pub async fn reset_password(
    State(state): State<AppState>,
    admin: Admin<perm::UsersWrite>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<PasswordReset>,
) -> ApiResult<StatusCode> {
    store::admins::find_by_id(&state.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    crate::security::check_new_password(&state, Some(id), &input.password, "password").await?;
    let hash = state.passwords.hash(&input.password).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    store::admins::find_for_update(&mut tx, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    crate::security::remember_old_password(&mut tx, id, now).await?;
    let row = store::admins::set_password(&mut tx, id, &hash, now).await?;
    let change = Change {
        action: "admin_user.password_reset",
        entity_type: "admin_user",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({ "username": row.username, "password": "********" })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes an admin user. The audit log keeps every row that names them.
#[utoipa::path(delete, path = "/api/v1/admin-users/{id}", tag = "admin users",
    params(("id" = Uuid, Path, description = "Admin user id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "Own account, or the last superadmin"),
    ),
    extensions(("x-permission" = json!("users_write"))))]
pub async fn delete(
    State(state): State<AppState>,
    admin: Admin<perm::UsersWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    if admin.user_id == Some(id) {
        return Err(ApiError::conflict(
            "You cannot delete your own account; ask another superadmin.",
        ));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let before = guarded_target(&mut tx, id, false).await?;
    store::admins::delete(&mut tx, id).await?;
    let change = Change {
        action: "admin_user.delete",
        entity_type: "admin_user",
        entity_id: id.to_string(),
        before: Some(access(&before)),
        after: None,
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
