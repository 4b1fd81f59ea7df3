//! API tokens. Every admin manages their own; superadmins see and revoke everyone's. A token
//! is created from a signed-in session only, never from another token.

use super::{ApiJson, PageParams};
use crate::auth::admin::{Admin, perm};
use crate::auth::tokens::mint;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::tokens::{NewToken, TokenRow};
use crate::store::{self, audit::Change};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::json;
use shared::FieldError;
use shared::Page;
use shared::permissions::Role;
use shared::tokens::{ApiToken, CreatedApiToken, NewApiToken};
use uuid::Uuid;

const MAX_DAYS: i32 = 730;

fn validate(input: &NewApiToken, creator_role: Role) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name_length = input.name.trim().chars().count();
    if !(1..=120).contains(&name_length) {
        errors.push(FieldError::new("name", "must be 1 to 120 characters long"));
    }
    if input.scopes.is_empty() {
        errors.push(FieldError::new("scopes", "must name at least one scope"));
    }
    if let Some(role) = input.role
        && !creator_role.covers(role)
    {
        errors.push(FieldError::new(
            "role",
            format!(
                "must be one your own role ({}) covers",
                creator_role.as_str()
            ),
        ));
    }
    if !(1..=MAX_DAYS).contains(&input.expires_in_days) {
        errors.push(FieldError::new(
            "expires_in_days",
            format!("must be between 1 and {MAX_DAYS} days"),
        ));
    }
    errors
}

/// Lists API tokens: one's own, or every token for a superadmin.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    params(PageParams),
    responses((status = 200, body = Page<ApiToken>)),
    extensions(("x-permission" = json!("any_admin"))))]
pub async fn list(
    State(state): State<AppState>,
    admin: Admin<perm::Any>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<ApiToken>>> {
    let creator =
        if admin.role == Role::Superadmin && admin.token.is_none() {
            None
        } else {
            Some(admin.user_id.ok_or_else(|| {
                ApiError::BadRequest("The legacy admin key owns no tokens.".into())
            })?)
        };
    let limit = page.limit()?;
    let mut rows = store::tokens::list(&state.db, creator, page.after()?, limit + 1).await?;
    let next_cursor = store::audit::page_cursor(&mut rows, limit, |row| {
        store::cursor::encode(row.created_at, row.id)
    });
    Ok(Json(Page {
        items: rows.iter().map(TokenRow::dto).collect(),
        next_cursor,
    }))
}

/// Creates an API token and returns its secret, which is shown this once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens",
    request_body = NewApiToken,
    responses((status = 201, body = CreatedApiToken), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("admin_session"))))]
pub async fn create(
    State(state): State<AppState>,
    admin: Admin<perm::Session>,
    ApiJson(input): ApiJson<NewApiToken>,
) -> ApiResult<(StatusCode, Json<CreatedApiToken>)> {
    let creator = admin.account()?;
    admin.check_unrestricted()?;
    ApiError::check(validate(&input, admin.role))?;

    let minted = mint();
    let now = state.clock.now();
    let new = NewToken {
        name: input.name.trim(),
        prefix: &minted.prefix,
        hash: &minted.hash,
        scopes: input
            .scopes
            .iter()
            .map(|s| s.as_str().to_string())
            .collect(),
        role: input.role,
        created_by: creator,
        expires_at: now + chrono::Duration::days(i64::from(input.expires_in_days)),
    };
    let mut tx = state.db.begin().await?;
    let id = store::tokens::insert(&mut tx, &new, now).await?;
    let change = Change {
        action: "api_token.create",
        entity_type: "api_token",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({
            "name": new.name, "prefix": new.prefix, "scopes": new.scopes,
            "role": input.role, "expires_at": new.expires_at,
        })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;

    let row = store::tokens::find(&state.db, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("token {id} vanished after commit"))?;
    tracing::info!(token_id = %id, prefix = %row.prefix, "API token created");
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiToken {
            token: row.dto(),
            secret: minted.secret,
        }),
    ))
}

/// Revokes an API token at once.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = Uuid, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "Already revoked"),
    ),
    extensions(("x-permission" = json!("any_admin"))))]
pub async fn revoke(
    State(state): State<AppState>,
    admin: Admin<perm::Any>,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let row = store::tokens::find(&state.db, id)
        .await?
        .filter(|row| admin.role == Role::Superadmin || Some(row.created_by) == admin.user_id)
        .ok_or_else(|| ApiError::NotFound(format!("You have no API token with the id {id}.")))?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if !store::tokens::revoke(&mut tx, id, now).await? {
        return Err(ApiError::conflict("This API token is already revoked."));
    }
    let change = Change {
        action: "api_token.revoke",
        entity_type: "api_token",
        entity_id: id.to_string(),
        before: Some(json!({ "prefix": row.prefix })),
        after: Some(json!({ "revoked_at": now })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
