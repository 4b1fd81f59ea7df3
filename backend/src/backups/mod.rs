//! Database backups: `pg_dump` archives in the backup folder, taken by a durable job on an
//! admin's request or on the backup schedule, pruned by the retention rules, and restored by a
//! superadmin while the job queue and the API are paused.

pub mod files;
pub mod job;
pub mod pg;
pub mod restore;
pub mod schedule;

use crate::state::AppState;
use chrono::{DateTime, Utc};
use shared::backups::BackupSettings;
use sqlx::PgPool;

/// The settings section that stores the schedule and the retention rules.
pub const SETTINGS_KEY: &str = "backups";

/// Returns the backup settings and when they were saved; the defaults (no schedule, keep
/// everything) before the first save.
pub async fn settings(db: &PgPool) -> sqlx::Result<(BackupSettings, Option<DateTime<Utc>>)> {
    let row: Option<(serde_json::Value, DateTime<Utc>)> =
        sqlx::query_as("select value, updated_at from settings where key = $1")
            .bind(SETTINGS_KEY)
            .fetch_optional(db)
            .await?;
    Ok(match row {
        Some((value, saved_at)) => (
            serde_json::from_value(value).unwrap_or_default(),
            Some(saved_at),
        ),
        None => (BackupSettings::default(), None),
    })
}

/// Runs blocking file work off the async threads.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(std::io::Error::other)?
}

/// Returns a database connection for the PostgreSQL tools, from `DATABASE_URL`.
pub fn connection(state: &AppState) -> anyhow::Result<pg::Connection> {
    pg::Connection::from_url(&state.config.database_url)
}
