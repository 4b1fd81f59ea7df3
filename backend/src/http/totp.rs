//! Two-factor sign-in for the signed-in admin: set up with an authenticator app, confirm with a
//! code (which also issues recovery codes), and turn off with the password.

use super::ApiJson;
use crate::auth::admin::{Admin, perm};
use crate::auth::totp;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, audit::Change};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use shared::auth::{RecoveryCodes, TotpConfirm, TotpDisable, TotpSetup};
use uuid::Uuid;

async fn record(state: &AppState, admin: &Admin<perm::Session>, action: &str) -> ApiResult<()> {
    let mut tx = state.db.begin().await?;
    let change = Change {
        action,
        entity_type: "admin_user",
        entity_id: admin.user_id.map(|id| id.to_string()).unwrap_or_default(),
        before: None,
        after: None,
    };
    store::audit::record(&mut tx, &admin.actor, state.clock.now(), change).await?;
    tx.commit().await?;
    Ok(())
}

fn user_id(admin: &Admin<perm::Session>) -> ApiResult<Uuid> {
    admin.account()
}

/// Starts setting up two-factor sign-in: returns a new secret for the authenticator app.
/// Nothing changes at sign-in until a code from the app confirms it.
#[utoipa::path(post, path = "/api/v1/auth/totp/setup", tag = "auth",
    responses((status = 200, body = TotpSetup)),
    extensions(("x-permission" = json!("admin_session"))))]
pub async fn setup(
    State(state): State<AppState>,
    admin: Admin<perm::Session>,
) -> ApiResult<Json<TotpSetup>> {
    let id = user_id(&admin)?;
    let secret = totp::new_secret();
    let encrypted = state.keys.encrypt_secret(&STANDARD.encode(&secret));
    store::admins::set_pending_totp(&state.db, id, &encrypted).await?;
    record(&state, &admin, "auth.totp_setup_started").await?;
    Ok(Json(TotpSetup {
        secret: totp::base32(&secret),
        otpauth_url: totp::otpauth_url(&secret, &admin.username),
    }))
}

/// Confirms the setup with a code from the app, turns two-factor sign-in on and returns ten
/// one-time recovery codes, shown only now.
#[utoipa::path(post, path = "/api/v1/auth/totp/confirm", tag = "auth",
    request_body = TotpConfirm,
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 409, body = shared::Problem, description = "No setup was started"),
        (status = 422, body = shared::Problem, description = "The code is wrong"),
    ),
    extensions(("x-permission" = json!("admin_session"))))]
pub async fn confirm(
    State(state): State<AppState>,
    admin: Admin<perm::Session>,
    ApiJson(input): ApiJson<TotpConfirm>,
) -> ApiResult<Json<RecoveryCodes>> {
    let id = user_id(&admin)?;
    let user = store::admins::find_by_id(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::Unauthenticated("Sign in again.".into()))?;
    let encrypted = user.totp_pending_secret.clone().ok_or_else(|| {
        ApiError::conflict("Start the setup first; there is no secret waiting for a code.")
    })?;
    let secret = state
        .keys
        .decrypt_secret(&encrypted)
        .map_err(|e| anyhow::anyhow!("pending authenticator secret: {e}"))?;
    let bytes = STANDARD
        .decode(&secret)
        .map_err(|e| anyhow::anyhow!("pending authenticator secret: {e}"))?;
    let now = u64::try_from(state.clock.now().timestamp()).unwrap_or(0);
    let step = totp::matching_step(&bytes, &user.username, &input.code, now).ok_or_else(|| {
        ApiError::field(
            "code",
            "does not match; enter the current code from the app",
        )
    })?;

    let codes: Vec<String> = (0..totp::RECOVERY_CODES)
        .map(|_| totp::new_recovery_code())
        .collect();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    let mut tx = state.db.begin().await?;
    let counter = i64::try_from(step).unwrap_or(i64::MAX);
    store::admins::enable_totp(&mut tx, id, &encrypted, counter, &hashes).await?;
    tx.commit().await?;
    record(&state, &admin, "auth.totp_enabled").await?;
    Ok(Json(RecoveryCodes { codes }))
}

/// Turns two-factor sign-in off, after checking the password.
#[utoipa::path(post, path = "/api/v1/auth/totp/disable", tag = "auth",
    request_body = TotpDisable,
    responses(
        (status = 204, description = "Turned off"),
        (status = 403, body = shared::Problem, description = "The password is wrong"),
    ),
    extensions(("x-permission" = json!("admin_session"))))]
pub async fn disable(
    State(state): State<AppState>,
    admin: Admin<perm::Session>,
    ApiJson(input): ApiJson<TotpDisable>,
) -> ApiResult<StatusCode> {
    let id = user_id(&admin)?;
    let user = store::admins::find_by_id(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::Unauthenticated("Sign in again.".into()))?;
    if !state
        .passwords
        .verify(&input.password, Some(&user.password_hash))
        .await
    {
        return Err(ApiError::Forbidden("The password is wrong.".into()));
    }
    let mut tx = state.db.begin().await?;
    store::admins::disable_totp(&mut tx, id).await?;
    tx.commit().await?;
    record(&state, &admin, "auth.totp_disabled").await?;
    Ok(StatusCode::NO_CONTENT)
}
