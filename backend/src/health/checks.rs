//! One check per component. A component without settings is reported as not configured, not
//! as failing. Every check has its own time limit and they run at once, so one slow server
//! delays the report by at most [`CHECK_TIMEOUT`].

use crate::integrations::directory::Directory;
use crate::integrations::mail::Mailer;
use crate::jobs::schedule::{LeaderTick, leader_key, leader_tick_key};
use crate::settings::{self, LdapConfig, OidcConfig, SiemConfig, SmtpConfig};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use fred::prelude::*;
use shared::health::ComponentStatus;
use std::future::Future;
use std::time::{Duration, Instant};

const CHECK_TIMEOUT: Duration = Duration::from_secs(10);
/// The leader ticks every second; a leader silent for this long is stuck or gone.
const LEADER_STALE_SECONDS: i64 = 10;
/// A due job that waited this long means the workers cannot keep up or are stopped.
const BACKLOG_STALE_SECONDS: i64 = 600;

/// The result of one check.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub component: &'static str,
    pub status: ComponentStatus,
    pub detail: String,
    pub latency_ms: Option<i64>,
}

fn ok(detail: impl Into<String>) -> (ComponentStatus, String) {
    (ComponentStatus::Ok, detail.into())
}

fn failing(detail: impl Into<String>) -> (ComponentStatus, String) {
    (ComponentStatus::Failing, detail.into())
}

fn not_configured(what: &str) -> (ComponentStatus, String) {
    (
        ComponentStatus::NotConfigured,
        format!("No {what} settings are saved."),
    )
}

/// Runs `check` with the time limit and measures it.
async fn timed(
    component: &'static str,
    check: impl Future<Output = (ComponentStatus, String)>,
) -> Observation {
    let started = Instant::now();
    let (status, detail) = match tokio::time::timeout(CHECK_TIMEOUT, check).await {
        Ok(found) => found,
        Err(_) => failing(format!(
            "The check did not finish within {} seconds.",
            CHECK_TIMEOUT.as_secs()
        )),
    };
    let latency = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    Observation {
        component,
        latency_ms: (status != ComponentStatus::NotConfigured).then_some(latency),
        status,
        detail,
    }
}

/// Checks every component at once.
pub async fn all(state: &AppState) -> Vec<Observation> {
    let (database, redis, scheduler, job_queue, smtp, ldap, oidc, siem) = tokio::join!(
        timed("database", database(state)),
        timed("redis", redis(state)),
        timed("scheduler", scheduler(state)),
        timed("job_queue", job_queue(state)),
        timed("smtp", smtp(state)),
        timed("ldap", ldap(state)),
        timed("oidc", oidc(state)),
        timed("siem", siem(state)),
    );
    vec![
        database, redis, scheduler, job_queue, smtp, ldap, oidc, siem,
    ]
}

async fn database(state: &AppState) -> (ComponentStatus, String) {
    match sqlx::query_scalar::<_, i32>("select 1")
        .fetch_one(&state.db)
        .await
    {
        Ok(_) => ok("The database answers queries."),
        Err(error) => failing(format!("The query failed: {error}")),
    }
}

async fn redis(state: &AppState) -> (ComponentStatus, String) {
    match state.redis.ping::<String>(None).await {
        Ok(_) => ok("Redis answers PING."),
        Err(error) => failing(format!("PING failed: {error}")),
    }
}

/// Reads the leader lock and the leader's last tick from Redis.
pub async fn leader(state: &AppState) -> (Option<String>, Option<DateTime<Utc>>) {
    let holder: Option<String> = state.redis.get(leader_key(state)).await.ok().flatten();
    let tick: Option<String> = state.redis.get(leader_tick_key(state)).await.ok().flatten();
    let tick = tick
        .and_then(|text| serde_json::from_str::<LeaderTick>(&text).ok())
        .filter(|tick| holder.as_deref() == Some(tick.leader.as_str()))
        .map(|tick| tick.at);
    (holder, tick)
}

async fn scheduler(state: &AppState) -> (ComponentStatus, String) {
    match leader(state).await {
        (None, _) => failing("No replica holds the scheduler's leader lock."),
        (Some(holder), None) => failing(format!("The leader {holder} has not ticked yet.")),
        (Some(holder), Some(at)) => {
            let age = (Utc::now() - at).num_seconds();
            if age > LEADER_STALE_SECONDS {
                failing(format!(
                    "The leader {holder} last ticked {age} seconds ago."
                ))
            } else {
                ok(format!("The leader {holder} ticked {age} seconds ago."))
            }
        }
    }
}

/// Counts the due queued jobs and the seconds the oldest has waited.
pub async fn backlog(state: &AppState) -> sqlx::Result<(i64, Option<i64>)> {
    sqlx::query_as(
        "select count(*), extract(epoch from $1 - min(run_at))::bigint
         from jobs where state = 'queued' and run_at <= $1",
    )
    .bind(state.clock.now())
    .fetch_one(&state.db)
    .await
}

async fn job_queue(state: &AppState) -> (ComponentStatus, String) {
    match backlog(state).await {
        Err(error) => failing(format!("Counting the jobs failed: {error}")),
        Ok((0, _)) => ok("No due job waits for a worker."),
        Ok((count, oldest)) => {
            let oldest = oldest.unwrap_or_default();
            let detail = format!("{count} due jobs wait; the oldest for {oldest} seconds.");
            if oldest > BACKLOG_STALE_SECONDS {
                failing(detail)
            } else {
                ok(detail)
            }
        }
    }
}

async fn smtp(state: &AppState) -> (ComponentStatus, String) {
    match settings::load::<SmtpConfig>(state).await {
        Err(error) => failing(format!("The SMTP settings cannot be read: {error}")),
        Ok(None) => not_configured("SMTP"),
        Ok(Some(config)) => match Mailer::new(config) {
            Err(error) => failing(error.to_string()),
            Ok(mailer) => match mailer.test().await {
                Ok(message) => ok(message),
                Err(error) => failing(error.to_string()),
            },
        },
    }
}

async fn ldap(state: &AppState) -> (ComponentStatus, String) {
    match settings::load::<LdapConfig>(state).await {
        Err(error) => failing(format!("The LDAP settings cannot be read: {error}")),
        Ok(None) => not_configured("LDAP"),
        Ok(Some(config)) => match Directory::new(config).test().await {
            Ok(message) => ok(message),
            Err(error) => failing(error.to_string()),
        },
    }
}

async fn oidc(state: &AppState) -> (ComponentStatus, String) {
    match settings::load::<OidcConfig>(state).await {
        Err(error) => failing(format!(
            "The OpenID Connect settings cannot be read: {error}"
        )),
        Ok(Some(config)) if config.enabled => {
            match crate::integrations::oidc::discover(&config.issuer_url).await {
                Ok(_) => ok(format!(
                    "Read the discovery document of {}.",
                    config.issuer_url
                )),
                Err(error) => failing(error.to_string()),
            }
        }
        Ok(_) => not_configured("enabled OpenID Connect"),
    }
}

/// Checks that the SIEM is reachable and that queued audit events are leaving the queue.
async fn siem(state: &AppState) -> (ComponentStatus, String) {
    match settings::load::<SiemConfig>(state).await {
        Err(error) => failing(format!("The SIEM settings cannot be read: {error}")),
        Ok(Some(config)) if config.enabled => {
            match crate::audit_forwarding::check(state, &config).await {
                Ok(message) => ok(message),
                Err(message) => failing(message),
            }
        }
        Ok(_) => not_configured("enabled SIEM forwarding"),
    }
}
