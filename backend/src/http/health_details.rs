//! The detailed health report for admins and auditors, "Check now", and the address of health
//! alerts. The public `GET /health` stays cheap and is in `health.rs`.

use super::ApiJson;
use crate::auth::admin::{Admin, perm};
use crate::error::{ApiError, ApiResult};
use crate::health::{self, checks};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use shared::health::{HealthDetails, HealthSettings, SchedulerDetails};
use std::sync::atomic::Ordering;

async fn details(state: &AppState) -> ApiResult<HealthDetails> {
    let components = health::latest(&state.db).await?;
    let (leader, leader_last_tick) = checks::leader(state).await;
    let (job_backlog, oldest_pending_age_seconds) = checks::backlog(state).await?;
    Ok(HealthDetails {
        components,
        scheduler: SchedulerDetails {
            leader,
            this_replica: state.scheduler.replica.clone(),
            this_replica_is_leader: state.scheduler.is_leader.load(Ordering::Relaxed),
            this_replica_last_tick: state.scheduler.last_tick(),
            leader_last_tick,
        },
        job_backlog,
        oldest_pending_age_seconds,
    })
}

/// Returns the latest check of every component, the scheduler as the replica that served the
/// request reports it, and the job queue's backlog.
#[utoipa::path(get, path = "/api/v1/health/details", tag = "health",
    responses((status = 200, body = HealthDetails)),
    extensions(("x-permission" = json!("health_read"))))]
pub async fn get_details(
    State(state): State<AppState>,
    _admin: Admin<perm::HealthRead>,
) -> ApiResult<Json<HealthDetails>> {
    Ok(Json(details(&state).await?))
}

/// Checks every component now, stores the results and returns the report. It counts like a
/// periodic check towards the two checks in a row that confirm a change of status.
#[utoipa::path(post, path = "/api/v1/health/check", tag = "health",
    responses((status = 200, body = HealthDetails)),
    extensions(("x-permission" = json!("health_read"))))]
pub async fn check_now(
    State(state): State<AppState>,
    _admin: Admin<perm::HealthRead>,
) -> ApiResult<Json<HealthDetails>> {
    health::run_checks(&state).await?;
    Ok(Json(details(&state).await?))
}

async fn load_settings(state: &AppState) -> ApiResult<HealthSettings> {
    let stored = store::settings::get(&state.db, health::SETTINGS_KEY).await?;
    Ok(stored
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default())
}

/// Returns the address that receives health alerts.
#[utoipa::path(get, path = "/api/v1/health/settings", tag = "health",
    responses((status = 200, body = HealthSettings)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn get_settings(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<HealthSettings>> {
    Ok(Json(load_settings(&state).await?))
}

/// Saves the address that receives health alerts; without one they go to every active
/// superadmin with an e-mail address.
#[utoipa::path(put, path = "/api/v1/health/settings", tag = "health",
    request_body = HealthSettings,
    responses((status = 200, body = HealthSettings), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn put_settings(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<HealthSettings>,
) -> ApiResult<Json<HealthSettings>> {
    let alert_email = input
        .alert_email
        .map(|address| address.trim().to_string())
        .filter(|address| !address.is_empty());
    if let Some(address) = &alert_email
        && address.parse::<lettre::Address>().is_err()
    {
        return Err(ApiError::field(
            "alert_email",
            "must be an e-mail address such as it-ops@example.com",
        ));
    }
    let settings = HealthSettings { alert_email };

    let value = serde_json::to_value(&settings).map_err(anyhow::Error::from)?;
    crate::settings::save_plain(&state, &admin.actor, health::SETTINGS_KEY, value).await?;
    Ok(Json(settings))
}
