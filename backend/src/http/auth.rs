//! Admin sign-in and sign-out with the session cookie.

use super::ApiJson;
use crate::auth::admin::{Admin, key_tag, legacy_key_matches, perm};
use crate::auth::session::{self, ADMIN_COOKIE, AdminCookie};
use crate::auth::{Actor, throttle};
use crate::crypto::random_token;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::admins::AdminUserRow;
use crate::store::{self, audit::Change};
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum_extra::extract::PrivateCookieJar;
use shared::admin_users::{AccessScope, PasswordChange};
use shared::auth::{AdminSession, Credentials, SessionInfo};
use shared::permissions::Role;
use shared::settings::SecuritySettings;

/// The name the sign-in throttle counts legacy key attempts under, which no account can have.
const LEGACY_THROTTLE_NAME: &str = "(legacy key)";

/// Where a sign-in came from, recorded on its session.
pub struct Client {
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

impl Client {
    pub fn new(peer: std::net::SocketAddr, headers: &HeaderMap) -> Client {
        Client {
            address: Some(peer.ip().to_string()),
            user_agent: headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        }
    }
}

/// Opens a server-side session for `admin` (none for the legacy key), sets its cookie and
/// returns the session description.
pub async fn sign_in_response(
    state: &AppState,
    jar: PrivateCookieJar,
    admin: Option<&AdminUserRow>,
    client: &Client,
) -> ApiResult<(PrivateCookieJar, AdminSession)> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let session_id = store::sessions::insert(
        &mut tx,
        admin.map(|a| a.id),
        client.address.as_deref(),
        client.user_agent.as_deref(),
        now,
    )
    .await?;
    tx.commit().await?;
    let cookie = AdminCookie {
        user_id: admin.map(|a| a.id),
        session_id,
        epoch: admin.map_or(0, |a| a.session_epoch),
        csrf: random_token(32),
        issued_at: now,
        key_tag: match admin {
            Some(_) => None,
            None => state.config.admin_api_key.as_deref().map(key_tag),
        },
    };
    let jar = session::write(jar, ADMIN_COOKIE, &cookie, state.config.secure_cookies);
    let rules = crate::security::current(state).await?;
    Ok((jar, session_view(state, admin, &rules, cookie.csrf)))
}

fn session_view(
    state: &AppState,
    admin: Option<&AdminUserRow>,
    rules: &SecuritySettings,
    csrf_token: String,
) -> AdminSession {
    let Some(admin) = admin else {
        return AdminSession {
            user_id: None,
            username: "legacy-key".into(),
            role: Role::Superadmin,
            permissions: Role::Superadmin.permissions().to_vec(),
            scope: AccessScope::default(),
            csrf_token,
            totp_enabled: false,
            restriction: None,
        };
    };
    let role = admin.role();
    AdminSession {
        user_id: Some(admin.id),
        username: admin.username.clone(),
        role,
        permissions: role.permissions().to_vec(),
        scope: admin.scope(),
        csrf_token,
        totp_enabled: admin.totp_secret.is_some(),
        restriction: crate::security::restriction(admin, rules, state.clock.now()),
    }
}

async fn audit_sign_in(
    state: &AppState,
    actor: &Actor,
    action: &str,
    username: &str,
) -> ApiResult<()> {
    let mut tx = state.db.begin().await?;
    let change = Change {
        action,
        entity_type: "admin_user",
        entity_id: username.to_string(),
        before: None,
        after: None,
    };
    store::audit::record(&mut tx, actor, state.clock.now(), change).await?;
    tx.commit().await?;
    Ok(())
}

/// Signs an admin in with username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = Credentials,
    responses(
        (status = 200, body = AdminSession),
        (status = 401, body = shared::Problem, description = "Wrong username or password"),
        (status = 429, body = shared::Problem, description = "Too many failures; see Retry-After"),
    ),
    extensions(("x-permission" = json!("public"))))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    jar: PrivateCookieJar,
    ApiJson(input): ApiJson<Credentials>,
) -> ApiResult<axum::response::Response> {
    // Cut to the longest valid username, so a failed attempt cannot write an arbitrarily long
    // value into the audit log or Redis.
    let username: String = input
        .username
        .trim()
        .to_lowercase()
        .chars()
        .take(128)
        .collect();
    let address = Some(peer.ip());
    let throttle_name = if username.is_empty() {
        LEGACY_THROTTLE_NAME
    } else {
        username.as_str()
    };
    if let Some(retry_after_seconds) = throttle::locked_for(&state, throttle_name, address).await {
        tracing::info!(username = %username, %retry_after_seconds, "admin sign-in throttled");
        return Err(ApiError::TooManyRequests {
            retry_after_seconds,
        });
    }

    if username.is_empty() {
        return legacy_key_sign_in(&state, peer, &headers, jar, &input.password).await;
    }

    let user = store::admins::find_by_username(&state.db, &username).await?;
    // An unknown user is verified against a dummy hash, so both failures take the same time
    // and get the same response.
    let stored = user.as_ref().map(|u| u.password_hash.as_str());
    let password_ok = state.passwords.verify(&input.password, stored).await;
    let user = user.filter(|u| password_ok && u.active);

    let Some(user) = user else {
        throttle::record_failure(&state, &username, address).await;
        audit_sign_in(
            &state,
            &Actor::anonymous(&username),
            "auth.sign_in_failed",
            &username,
        )
        .await?;
        tracing::info!(username = %username, "admin sign-in failed");
        return Err(ApiError::Unauthenticated(
            "The username or password is wrong, or the account is deactivated.".into(),
        ));
    };

    if let Some(encrypted) = &user.totp_secret {
        let Some(code) = input.totp_code.as_deref().filter(|c| !c.trim().is_empty()) else {
            return Err(ApiError::TotpRequired);
        };
        if !second_factor_ok(&state, &user, encrypted, code).await? {
            throttle::record_failure(&state, &username, address).await;
            audit_sign_in(
                &state,
                &Actor::anonymous(&username),
                "auth.sign_in_failed",
                &username,
            )
            .await?;
            return Err(ApiError::Unauthenticated(
                "The authentication code is wrong or was already used.".into(),
            ));
        }
    }

    throttle::record_success(&state, &username).await;
    let actor = Actor::admin_session(&user.username, user.role());
    audit_sign_in(&state, &actor, "auth.sign_in", &user.username).await?;
    let client = Client::new(peer, &headers);
    let (jar, session) = sign_in_response(&state, jar, Some(&user), &client).await?;
    Ok((jar, Json(session)).into_response())
}

/// Signs in with the legacy admin key typed as the password under a blank username, as the
/// virtual superadmin `admin:legacy_key`. A wrong or disabled key gets the same response as a
/// wrong password.
async fn legacy_key_sign_in(
    state: &AppState,
    peer: std::net::SocketAddr,
    headers: &HeaderMap,
    jar: PrivateCookieJar,
    key: &str,
) -> ApiResult<axum::response::Response> {
    let address = Some(peer.ip());
    if !legacy_key_matches(state, key.as_bytes()).await? {
        throttle::record_failure(state, LEGACY_THROTTLE_NAME, address).await;
        audit_sign_in(
            state,
            &Actor::anonymous(""),
            "auth.sign_in_failed",
            LEGACY_THROTTLE_NAME,
        )
        .await?;
        return Err(ApiError::Unauthenticated(
            "The username or password is wrong, or the account is deactivated.".into(),
        ));
    }
    throttle::record_success(state, LEGACY_THROTTLE_NAME).await;
    audit_sign_in(state, &Actor::legacy_key(), "auth.sign_in", "legacy-key").await?;
    let client = Client::new(peer, headers);
    let (jar, session) = sign_in_response(state, jar, None, &client).await?;
    Ok((jar, Json(session)).into_response())
}

/// Ends the admin session in this browser.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out")),
    extensions(("x-permission" = json!("admin_session"))))]
pub async fn logout(
    State(state): State<AppState>,
    admin: Admin<perm::Session>,
    jar: PrivateCookieJar,
) -> ApiResult<impl IntoResponse> {
    if let Some(session_id) = admin.session_id {
        store::sessions::end(&state.db, session_id, admin.user_id, state.clock.now()).await?;
    }
    audit_sign_in(&state, &admin.actor, "auth.sign_out", &admin.username).await?;
    Ok((session::clear(jar, ADMIN_COOKIE), StatusCode::NO_CONTENT))
}

/// Returns the signed-in admin and the CSRF token for writes.
#[utoipa::path(get, path = "/api/v1/auth/session", tag = "auth",
    responses(
        (status = 200, body = AdminSession),
        (status = 401, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("admin_session"))))]
pub async fn current(
    State(state): State<AppState>,
    admin: Admin<perm::Session>,
    jar: PrivateCookieJar,
) -> ApiResult<Json<AdminSession>> {
    let cookie: Option<AdminCookie> = session::read(&jar, ADMIN_COOKIE);
    let Some(cookie) = cookie else {
        return Err(ApiError::Unauthenticated("Sign in first.".into()));
    };
    let user = match admin.user_id {
        None => None,
        Some(user_id) => Some(
            store::admins::find_by_id(&state.db, user_id)
                .await?
                .ok_or_else(|| ApiError::Unauthenticated("Sign in again.".into()))?,
        ),
    };
    let rules = crate::security::current(&state).await?;
    Ok(Json(session_view(
        &state,
        user.as_ref(),
        &rules,
        cookie.csrf,
    )))
}

/// Changes the signed-in admin's own password. Every other session of this user ends; this
/// one continues with a new cookie.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth",
    request_body = PasswordChange,
    responses(
        (status = 200, body = AdminSession),
        (status = 403, body = shared::Problem, description = "The current password is wrong"),
        (status = 422, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("admin_session"))))]
pub async fn change_password(
    State(state): State<AppState>,
    admin: Admin<perm::Session>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    jar: PrivateCookieJar,
    ApiJson(input): ApiJson<PasswordChange>,
) -> ApiResult<impl IntoResponse> {
    let user_id = admin.account()?;
    crate::security::check_new_password(&state, Some(user_id), &input.new_password, "new_password")
        .await?;
    let user = store::admins::find_by_id(&state.db, user_id)
        .await?
        .ok_or_else(|| ApiError::Unauthenticated("Sign in again.".into()))?;
    if !state
        .passwords
        .verify(&input.current_password, Some(&user.password_hash))
        .await
    {
        return Err(ApiError::Forbidden("The current password is wrong.".into()));
    }

    let hash = state.passwords.hash(&input.new_password).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    crate::security::remember_old_password(&mut tx, user_id, now).await?;
    let user = store::admins::set_password(&mut tx, user_id, &hash, now).await?;
    let change = Change {
        action: "admin_user.password_change",
        entity_type: "admin_user",
        entity_id: user_id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "username": user.username, "password": "********" })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;

    if let Some(old) = admin.session_id {
        store::sessions::end(&state.db, old, Some(user_id), now).await?;
    }
    let client = Client::new(peer, &headers);
    let (jar, session) = sign_in_response(&state, jar, Some(&user), &client).await?;
    Ok((jar, Json(session)))
}

/// Lists the signed-in admin's open sessions.
#[utoipa::path(get, path = "/api/v1/auth/sessions", tag = "auth",
    responses((status = 200, body = Vec<SessionInfo>)),
    extensions(("x-permission" = json!("admin_session"))))]
pub async fn sessions(
    State(state): State<AppState>,
    admin: Admin<perm::Session>,
) -> ApiResult<Json<Vec<SessionInfo>>> {
    let user_id = admin.account()?;
    let rows = store::sessions::open_for(&state.db, user_id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| SessionInfo {
                current: Some(row.id) == admin.session_id,
                id: row.id,
                created_at: row.created_at,
                last_seen_at: row.last_seen_at,
                address: row.address,
                user_agent: row.user_agent,
            })
            .collect(),
    ))
}

/// Ends one of the signed-in admin's sessions, for example one left open on another computer.
#[utoipa::path(delete, path = "/api/v1/auth/sessions/{id}", tag = "auth",
    params(("id" = uuid::Uuid, Path, description = "Session id")),
    responses((status = 204, description = "Ended"), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("admin_session"))))]
pub async fn end_session(
    State(state): State<AppState>,
    admin: Admin<perm::Session>,
    axum::extract::Path(id): axum::extract::Path<uuid::Uuid>,
) -> ApiResult<StatusCode> {
    let user_id = admin.account()?;
    if !store::sessions::end(&state.db, id, Some(user_id), state.clock.now()).await? {
        return Err(ApiError::NotFound(format!(
            "You have no open session with the id {id}."
        )));
    }
    let change = Change {
        action: "auth.session_end",
        entity_type: "admin_session",
        entity_id: id.to_string(),
        before: None,
        after: None,
    };
    let mut tx = state.db.begin().await?;
    store::audit::record(&mut tx, &admin.actor, state.clock.now(), change).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Checks a code from the authenticator app, refusing one already used, or else a recovery code.
async fn second_factor_ok(
    state: &AppState,
    user: &AdminUserRow,
    encrypted: &str,
    code: &str,
) -> ApiResult<bool> {
    let secret = state
        .keys
        .decrypt_secret(encrypted)
        .map_err(|e| anyhow::anyhow!("the authenticator secret of {}: {e}", user.username))?;
    let secret = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, secret)
        .map_err(|e| anyhow::anyhow!("the authenticator secret of {}: {e}", user.username))?;
    let now = u64::try_from(state.clock.now().timestamp()).unwrap_or(0);
    if let Some(step) = crate::auth::totp::matching_step(&secret, &user.username, code, now) {
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        return Ok(store::admins::advance_totp_counter(&state.db, user.id, step).await?);
    }
    let hash = crate::auth::totp::recovery_hash(code);
    Ok(store::admins::use_recovery_code(&state.db, user.id, &hash, state.clock.now()).await?)
}
