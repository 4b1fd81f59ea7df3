//! The maintenance flag. While a restore replaces the database, job workers claim no job, the
//! scheduler's leader enqueues nothing and the API returns 503. The flag is a Redis key with a
//! TTL of seconds that the restoring process renews, so a crash in the middle of a restore
//! frees the queue again within [`FLAG_TTL_MS`]. Every process reads the key twice a second
//! in the background, so a request never waits for Redis to learn it.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fred::prelude::*;
use fred::types::{Expiration, SetOptions};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long the flag lives without renewal.
pub const FLAG_TTL_MS: i64 = 30_000;
const RENEW_EVERY: Duration = Duration::from_secs(10);
/// How often each process reads the flag from Redis.
pub const REFRESH: Duration = Duration::from_millis(500);
/// The `Retry-After` sent to clients, in seconds.
const RETRY_AFTER_SECONDS: u32 = 30;

const RELEASE: &str = "if redis.call('get', KEYS[1]) == ARGV[1] then \
    return redis.call('del', KEYS[1]) else return 0 end";
const RENEW: &str = "if redis.call('get', KEYS[1]) == ARGV[1] then \
    return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/// This process's view of the flag.
#[derive(Default)]
pub struct MaintenanceStatus {
    /// Set by a restore running in this process, at once.
    local: AtomicBool,
    /// The value of the flag in Redis at the last read, or `None` when it was not set.
    remote: Mutex<Option<String>>,
    watching: AtomicBool,
}

impl MaintenanceStatus {
    /// Returns whether the job queue and the API are paused.
    pub fn is_active(&self) -> bool {
        self.local.load(Ordering::Relaxed) || self.remote_value().is_some()
    }

    /// Returns what the flag in Redis contains: the backup being restored and the actor.
    pub fn remote_value(&self) -> Option<String> {
        self.remote
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn set_remote(&self, value: Option<String>) {
        *self.remote.lock().unwrap_or_else(|e| e.into_inner()) = value;
    }
}

fn key(state: &AppState) -> String {
    state.redis_key("maintenance")
}

/// Starts the background read of the flag for this process, once.
pub fn watch(state: &AppState) {
    if state.maintenance.watching.swap(true, Ordering::Relaxed) {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        let key = key(&state);
        let mut failing = false;
        loop {
            match state.redis.get::<Option<String>, _>(&key).await {
                Ok(value) => {
                    state.maintenance.set_remote(value);
                    failing = false;
                }
                // Without Redis the last value stays: a restore cannot start without Redis, and
                // one that is running keeps its own process paused through the local flag.
                Err(error) if !failing => {
                    tracing::warn!(%error, "reading the maintenance flag failed");
                    failing = true;
                }
                Err(_) => {}
            }
            tokio::time::sleep(REFRESH).await;
        }
    });
}

/// The flag taken by this process. Dropping it stops the renewal and clears the local flag;
/// [`Maintenance::end`] also deletes the key, so other processes resume at once.
pub struct Maintenance {
    state: AppState,
    value: String,
    renewal: tokio::task::JoinHandle<()>,
}

/// Another restore has taken the flag.
#[derive(Debug, thiserror::Error)]
#[error("maintenance is already in progress: {0}")]
pub struct Busy(pub String);

/// Takes the flag with `value` describing the work, unless another process has it.
pub async fn begin(state: &AppState, value: String) -> Result<Result<Maintenance, Busy>, Error> {
    let key = key(state);
    let taken: Option<String> = state
        .redis
        .set(
            &key,
            &value,
            Some(Expiration::PX(FLAG_TTL_MS)),
            Some(SetOptions::NX),
            false,
        )
        .await?;
    if taken.is_none() {
        let current: Option<String> = state.redis.get(&key).await?;
        return Ok(Err(Busy(current.unwrap_or_default())));
    }
    state.maintenance.local.store(true, Ordering::Relaxed);

    let renewal = {
        let redis = state.redis.clone();
        let value = value.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(RENEW_EVERY).await;
                let renewed: Result<i64, Error> = redis
                    .eval(
                        RENEW,
                        vec![key.clone()],
                        vec![value.clone(), FLAG_TTL_MS.to_string()],
                    )
                    .await;
                match renewed {
                    Ok(1) => {}
                    Ok(_) => {
                        tracing::warn!("the maintenance flag was lost; other processes resume")
                    }
                    Err(error) => tracing::warn!(%error, "renewing the maintenance flag failed"),
                }
            }
        })
    };
    tracing::info!(flag = %value, "maintenance started: job queue and API paused");
    Ok(Ok(Maintenance {
        state: state.clone(),
        value,
        renewal,
    }))
}

impl Maintenance {
    /// Deletes the flag, so every process resumes within [`REFRESH`].
    pub async fn end(self) {
        self.renewal.abort();
        let released: Result<i64, Error> = self
            .state
            .redis
            .eval(RELEASE, vec![key(&self.state)], vec![self.value.clone()])
            .await;
        if let Err(error) = released {
            tracing::warn!(%error, "deleting the maintenance flag failed; it expires on its own");
        }
        self.state.maintenance.set_remote(None);
        tracing::info!("maintenance ended: job queue and API resumed");
    }
}

impl Drop for Maintenance {
    fn drop(&mut self) {
        self.renewal.abort();
        self.state.maintenance.local.store(false, Ordering::Relaxed);
    }
}

/// Returns 503 for every API request while maintenance is in progress. A restore replaces every
/// table, so a write accepted meanwhile would be lost and a read would wait on its locks.
pub async fn reject_during_maintenance(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !request.uri().path().starts_with("/api/") || !state.maintenance.is_active() {
        return next.run(request).await;
    }
    let mut response = ApiError::Unavailable(format!(
        "A database restore is in progress; try again in {RETRY_AFTER_SECONDS} seconds."
    ))
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    response
}
