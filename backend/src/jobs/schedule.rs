//! The scheduler runs in every `serve` process; only the holder of the leader lock enqueues
//! periodic tasks. Each task is enqueued with the key `task:slot`, so a slot runs once even
//! across leader changes, and after downtime only the latest missed slot runs.

use super::leader::LeaderLock;
use super::queue::{self, NewJob, Queue};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds};
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::watch;

const TICK: Duration = Duration::from_secs(1);
/// The purge of old API tokens runs daily at 03:00 UTC.
const TOKEN_PURGE_CRON: &str = "0 0 3 * * *";
/// The purge of old succeeded jobs runs daily at 03:30 UTC.
const JOB_PURGE_CRON: &str = "0 30 3 * * *";

/// Parses a cron expression with six fields: seconds, minutes, hours, day, month, weekday.
pub fn parse_cron(expression: &str) -> Result<Cron, croner::errors::CronError> {
    CronParser::builder()
        .seconds(Seconds::Required)
        .build()
        .parse(expression)
}

/// How long the leader's last tick stays in Redis without a newer one.
const LEADER_TICK_TTL_MS: i64 = 60_000;

/// Checks a schedule that an admin entered: a six-field cron expression that fires, with at
/// least `min_gap` between two slots. Returns the message for the field otherwise.
pub fn check_schedule(expression: &str, min_gap: chrono::Duration) -> Result<Cron, String> {
    let cron = parse_cron(expression).map_err(|e| {
        format!(
            "is not a six-field cron expression (seconds first, such as \"0 0 2 * * *\" for \
             02:00 UTC daily): {e}"
        )
    })?;
    // The gaps of the next 500 slots are checked, enough for every pattern within a day.
    let mut at = Utc::now();
    let mut fires = false;
    for _ in 0..500 {
        let Ok(next) = cron.find_next_occurrence(&at, false) else {
            break;
        };
        if fires && next - at < min_gap {
            return Err(format!(
                "must leave at least {} between runs",
                gap_text(min_gap)
            ));
        }
        fires = true;
        at = next;
    }
    if !fires {
        return Err("never fires; check the day and month fields".into());
    }
    Ok(cron)
}

fn gap_text(gap: chrono::Duration) -> String {
    match gap.num_minutes() {
        60 => "an hour".into(),
        minutes if minutes % 60 == 0 => format!("{} hours", minutes / 60),
        minutes => format!("{minutes} minutes"),
    }
}

/// What the health check reports about this process's scheduler.
pub struct SchedulerStatus {
    /// Names this process in the leader lock: `host:pid:id`, unique per start.
    pub replica: String,
    pub is_leader: AtomicBool,
    /// Unix milliseconds of the last loop iteration; zero before the first.
    pub last_tick_ms: AtomicI64,
}

impl Default for SchedulerStatus {
    fn default() -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
        SchedulerStatus {
            replica: format!("{host}:{}:{}", std::process::id(), uuid::Uuid::now_v7()),
            is_leader: AtomicBool::new(false),
            last_tick_ms: AtomicI64::new(0),
        }
    }
}

/// The leader's last tick as it stores it in Redis, so any replica can report it.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct LeaderTick {
    pub leader: String,
    pub at: DateTime<Utc>,
}

/// Returns the Redis key of the leader's last tick.
pub fn leader_tick_key(state: &AppState) -> String {
    state.redis_key("scheduler:leader_tick")
}

/// Returns the Redis key of the leader lock.
pub fn leader_key(state: &AppState) -> String {
    state.redis_key("scheduler:leader")
}

async fn store_leader_tick(state: &AppState, at: DateTime<Utc>) {
    let tick = LeaderTick {
        leader: state.scheduler.replica.clone(),
        at,
    };
    let value = serde_json::to_string(&tick).unwrap_or_default();
    use fred::interfaces::KeysInterface;
    let stored: Result<(), fred::error::Error> = state
        .redis
        .set(
            leader_tick_key(state),
            value,
            Some(fred::types::Expiration::PX(LEADER_TICK_TTL_MS)),
            None,
            false,
        )
        .await;
    if let Err(error) = stored {
        tracing::debug!(%error, "storing the leader's tick failed");
    }
}

impl SchedulerStatus {
    pub fn last_tick(&self) -> Option<DateTime<Utc>> {
        match self.last_tick_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => DateTime::from_timestamp_millis(ms),
        }
    }
}

struct Task {
    name: &'static str,
    cron: Cron,
    queue: Queue,
}

/// Returns the most recent slot of `cron` at or before `now`. The search starts from `now` cut to
/// whole seconds, because croner keeps the fraction of the start time in what it returns, and
/// the slot must be the same instant on every tick and every replica.
pub fn latest_slot(cron: &Cron, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let whole_seconds = DateTime::from_timestamp(now.timestamp(), 0)?;
    cron.find_previous_occurrence(&whole_seconds, true).ok()
}

/// Enqueues `task` for `slot` unless that slot was enqueued before. Returns whether it was new.
pub async fn enqueue_slot(
    state: &AppState,
    task: &'static str,
    queue: Queue,
    slot: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let mut job = NewJob::new(queue, task, json!({ "slot": slot }));
    job.dedupe_key = Some(format!("{task}:{}", slot.to_rfc3339()));
    job.max_attempts = 3;
    let mut tx = state.db.begin().await?;
    let id = queue::enqueue(&mut tx, job, state.clock.now()).await?;
    tx.commit().await?;
    Ok(id.is_some())
}

/// Runs the scheduler loop until `shutdown` turns true. Audit forwarding to the SIEM runs
/// beside it on every replica, leader or not.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    tokio::spawn(crate::audit_forwarding::run(
        state.clone(),
        shutdown.clone(),
    ));
    let tasks = vec![
        Task {
            name: super::handlers::EXPIRY_CHECK,
            cron: parse_cron(&state.config.expiry_check_cron).expect("validated at start"),
            queue: Queue::Reclaim,
        },
        Task {
            name: super::handlers::APPROVAL_TIMERS,
            cron: parse_cron(&state.config.approval_timers_cron).expect("validated at start"),
            queue: Queue::Default,
        },
        Task {
            name: super::handlers::POLICY_CHECK,
            cron: parse_cron(&state.config.policy_check_cron).expect("validated at start"),
            queue: Queue::Default,
        },
        Task {
            name: super::handlers::LICENSE_CHECK,
            cron: parse_cron(&state.config.license_check_cron).expect("validated at start"),
            queue: Queue::Default,
        },
        Task {
            name: super::handlers::TOKEN_PURGE,
            cron: parse_cron(TOKEN_PURGE_CRON).expect("a valid constant"),
            queue: Queue::Default,
        },
        Task {
            name: super::handlers::JOB_PURGE,
            cron: parse_cron(JOB_PURGE_CRON).expect("a valid constant"),
            queue: Queue::Default,
        },
        Task {
            name: super::handlers::HEALTH_CHECK,
            cron: parse_cron(&state.config.health_check_cron).expect("validated at start"),
            queue: Queue::Default,
        },
    ];
    let lock = LeaderLock::new(
        state.redis.clone(),
        leader_key(&state),
        state.scheduler.replica.clone(),
    );
    let mut enqueued: HashMap<&'static str, DateTime<Utc>> = HashMap::new();
    let mut runbook_slots = crate::runbooks::schedule::Enqueued::default();
    let mut backup_slot = None;
    tracing::info!(expiry_check = %state.config.expiry_check_cron, "scheduler started");

    loop {
        let leader = match lock.acquire_or_renew().await {
            Ok(leader) => leader,
            Err(error) => {
                tracing::warn!(%error, "scheduler lock unavailable; not enqueuing periodic tasks");
                false
            }
        };
        let was_leader = state.scheduler.is_leader.swap(leader, Ordering::Relaxed);
        if leader != was_leader {
            tracing::info!(leader, "scheduler leadership changed");
        }
        // A restore replaces the jobs table, so the leader enqueues nothing until it ends.
        if leader && !state.maintenance.is_active() {
            let now = state.clock.now();
            for task in &tasks {
                let Some(slot) = latest_slot(&task.cron, now) else {
                    continue;
                };
                if enqueued.get(task.name) == Some(&slot) {
                    continue;
                }
                match enqueue_slot(&state, task.name, task.queue, slot).await {
                    Ok(new) => {
                        if new {
                            tracing::info!(task = task.name, %slot, "periodic task enqueued");
                        }
                        enqueued.insert(task.name, slot);
                    }
                    Err(error) => tracing::warn!(task = task.name, %error, "enqueuing failed"),
                }
            }
            if let Err(error) = crate::runbooks::schedule::tick(&state, &mut runbook_slots).await {
                tracing::warn!(%error, "enqueuing scheduled runbooks failed");
            }
            if let Err(error) = crate::backups::schedule::tick(&state, &mut backup_slot).await {
                tracing::warn!(%error, "enqueuing the scheduled backup failed");
            }
            store_leader_tick(&state, Utc::now()).await;
        }
        state
            .scheduler
            .last_tick_ms
            .store(Utc::now().timestamp_millis(), Ordering::Relaxed);

        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = shutdown.changed() => break,
        }
    }
    if state.scheduler.is_leader.load(Ordering::Relaxed) {
        lock.release().await;
    }
    tracing::info!("scheduler stopped");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn hourly_slot_is_top_of_the_hour() {
        let cron = parse_cron("0 0 * * * *").unwrap();
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 10, 42, 7).unwrap();
        let slot = latest_slot(&cron, now).unwrap();
        assert_eq!(slot, Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap());
    }

    #[test]
    fn slot_at_exact_time_is_that_time() {
        let cron = parse_cron("0 * * * * *").unwrap();
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 10, 42, 0).unwrap();
        assert_eq!(latest_slot(&cron, now).unwrap(), now);
    }

    #[test]
    fn slot_ignores_fractions_of_a_second() {
        let cron = parse_cron("0 0 * * * *").unwrap();
        let early = Utc.with_ymd_and_hms(2026, 3, 1, 10, 42, 7).unwrap();
        let later = early + chrono::Duration::milliseconds(599);
        let slot = Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap();
        assert_eq!(latest_slot(&cron, later), Some(slot));
        assert_eq!(
            latest_slot(&cron, early + chrono::Duration::milliseconds(1)),
            Some(slot)
        );
    }

    #[test]
    fn schedule_check_names_the_minimum_gap() {
        let five = chrono::Duration::minutes(5);
        assert!(check_schedule("0 0 2 * * *", five).is_ok());
        let message = check_schedule("0 * * * * *", five).unwrap_err();
        assert_eq!(message, "must leave at least 5 minutes between runs");
        let message = check_schedule("0 */30 * * * *", chrono::Duration::hours(1)).unwrap_err();
        assert_eq!(message, "must leave at least an hour between runs");
        assert!(
            check_schedule("0 0 0 30 2 *", five)
                .unwrap_err()
                .contains("never fires")
        );
    }

    #[test]
    fn five_field_cron_is_rejected() {
        assert!(parse_cron("0 * * * *").is_err());
    }
}
