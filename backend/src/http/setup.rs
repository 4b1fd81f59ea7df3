//! First run: while no administrator exists, anyone who can reach the server may create the
//! first one. The `installation` row's primary key lets exactly one racing request succeed.

use super::ApiJson;
use super::auth::sign_in_response;
use crate::auth::Actor;
use crate::db::violated_constraint;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, audit::Change};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::PrivateCookieJar;
use serde_json::json;
use shared::auth::{AdminSession, Credentials, SetupStatus};
use shared::permissions::Role;

/// Says whether the first administrator still has to be created.
#[utoipa::path(get, path = "/api/v1/setup", tag = "setup",
    responses((status = 200, body = SetupStatus)),
    extensions(("x-permission" = json!("public"))))]
pub async fn status(State(state): State<AppState>) -> ApiResult<Json<SetupStatus>> {
    let done = store::admins::any_exists(&state.db).await?;
    Ok(Json(SetupStatus {
        needs_first_admin: !done,
    }))
}

fn already_set_up() -> ApiError {
    ApiError::conflict(
        "This installation is already set up: an administrator exists. Sign in instead.",
    )
}

/// Creates the first administrator, a superadmin, and signs them in.
#[utoipa::path(post, path = "/api/v1/setup/first-admin", tag = "setup",
    request_body = Credentials,
    responses(
        (status = 201, body = AdminSession, description = "Created and signed in"),
        (status = 409, body = shared::Problem, description = "Already set up"),
        (status = 422, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("public"))))]
pub async fn create_first_admin(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
    jar: PrivateCookieJar,
    ApiJson(input): ApiJson<Credentials>,
) -> ApiResult<impl IntoResponse> {
    let username = input.username.trim().to_lowercase();
    ApiError::check(shared::validation::credentials(&username, &input.password))?;
    crate::security::check_new_password(&state, None, &input.password, "password").await?;
    if store::admins::any_exists(&state.db).await? {
        return Err(already_set_up());
    }

    let hash = state.passwords.hash(&input.password).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let fields = store::admins::AccessFields {
        role: Role::Superadmin,
        active: true,
        email: None,
        scope: &Default::default(),
    };
    let admin = store::admins::insert(&mut tx, &username, &hash, &fields, now).await;
    let admin = match admin {
        Ok(admin) => admin,
        Err(e) if violated_constraint(&e).is_some() => return Err(already_set_up()),
        Err(e) => return Err(e.into()),
    };
    if let Err(e) = store::admins::mark_installation_set_up(&mut tx, admin.id, now).await {
        return Err(match violated_constraint(&e) {
            Some(_) => already_set_up(),
            None => e.into(),
        });
    }
    let actor = Actor::admin_session(&admin.username, Role::Superadmin);
    let change = Change {
        action: "admin_user.create_first",
        entity_type: "admin_user",
        entity_id: admin.id.to_string(),
        before: None,
        after: Some(json!({ "username": admin.username, "role": "superadmin" })),
    };
    store::audit::record(&mut tx, &actor, now, change).await?;
    tx.commit().await?;

    tracing::info!(username = %admin.username, "first administrator created");
    let client = super::auth::Client::new(peer, &headers);
    let (jar, session) = sign_in_response(&state, jar, Some(&admin), &client).await?;
    Ok((StatusCode::CREATED, jar, Json::<AdminSession>(session)))
}
