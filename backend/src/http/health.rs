//! `GET /health`: cheap, unauthenticated, 200 while the database answers.

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fred::prelude::*;
use shared::health::{Health, HealthCheck, HealthStatus};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);
/// The scheduler loop ticks every second; three missed ticks mean it is stuck.
const SCHEDULER_STALE_MS: i64 = 3000;

fn ok() -> HealthCheck {
    HealthCheck {
        status: HealthStatus::Ok,
        detail: None,
    }
}

fn degraded(detail: &str) -> HealthCheck {
    HealthCheck {
        status: HealthStatus::Degraded,
        detail: Some(detail.to_string()),
    }
}

async fn database(state: &AppState) -> HealthCheck {
    let query = sqlx::query_scalar::<_, i32>("select 1").fetch_one(&state.db);
    match tokio::time::timeout(CHECK_TIMEOUT, query).await {
        Ok(Ok(_)) => ok(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "health: database check failed");
            degraded("the database does not answer")
        }
        Err(_) => degraded("the database did not answer within 2 seconds"),
    }
}

async fn redis(state: &AppState) -> HealthCheck {
    let ping = state.redis.ping::<String>(None);
    match tokio::time::timeout(CHECK_TIMEOUT, ping).await {
        Ok(Ok(_)) => ok(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "health: redis check failed");
            degraded("Redis does not answer")
        }
        Err(_) => degraded("Redis did not answer within 2 seconds"),
    }
}

fn scheduler(state: &AppState) -> HealthCheck {
    match state.scheduler.last_tick() {
        None => degraded("the scheduler has not started"),
        Some(at) if (chrono::Utc::now() - at).num_milliseconds() > SCHEDULER_STALE_MS => {
            degraded("the scheduler loop is stuck")
        }
        Some(_) => HealthCheck {
            status: HealthStatus::Ok,
            detail: Some(if state.scheduler.is_leader.load(Ordering::Relaxed) {
                "leader".into()
            } else {
                "follower".into()
            }),
        },
    }
}

/// Reports the database, Redis and scheduler checks.
#[utoipa::path(
    get,
    path = "/health",
    tag = "health",
    responses(
        (status = 200, description = "Every check passed, or only Redis or the scheduler failed", body = Health),
        (status = 503, description = "The database is unreachable", body = Health),
    ),
    extensions(("x-permission" = json!("public"))))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let (database, redis) = tokio::join!(database(&state), redis(&state));
    let database_up = database.status == HealthStatus::Ok;
    let mut checks = BTreeMap::new();
    checks.insert("database".to_string(), database);
    checks.insert("redis".to_string(), redis);
    checks.insert("scheduler".to_string(), scheduler(&state));

    let all_ok = checks.values().all(|c| c.status == HealthStatus::Ok);
    let body = Health {
        status: if all_ok {
            HealthStatus::Ok
        } else {
            HealthStatus::Degraded
        },
        version: env!("CARGO_PKG_VERSION").to_string(),
        checks,
    };
    let status = if database_up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}
