//! Runbooks: their steps, schedule and notes, and which definitions use them.

use super::Tx;
use chrono::{DateTime, Utc};
use shared::runbooks::{RunState, Runbook, RunbookInput, RunbookSummary, Step};
use sqlx::types::Json;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct RunbookRow {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub steps: Json<Vec<Step>>,
    pub schedule: Option<String>,
    pub notes: String,
    pub version: i32,
    pub used_by: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl RunbookRow {
    pub fn dto(&self, next_run_at: Option<DateTime<Utc>>) -> Runbook {
        Runbook {
            id: self.id,
            name: self.name.clone(),
            description: self.description.clone(),
            steps: self.steps.0.clone(),
            schedule: self.schedule.clone(),
            notes: self.notes.clone(),
            version: self.version,
            used_by: self.used_by.clone(),
            next_run_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

macro_rules! select_runbooks {
    ($tail:literal) => {
        concat!(
            "select r.id, r.name, r.description, r.steps, r.schedule, r.notes, r.version,
                array(select d.name from asset_definitions d
                      where r.id in (d.provision_runbook_id, d.deprovision_runbook_id,
                                     d.reinstall_runbook_id)
                      order by lower(d.name)) as used_by,
                r.created_at, r.updated_at
             from runbooks r",
            $tail
        )
    };
}

pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<RunbookRow>> {
    sqlx::query_as(select_runbooks!(" where r.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn find_in(tx: &mut Tx<'_>, id: Uuid) -> sqlx::Result<Option<RunbookRow>> {
    sqlx::query_as(select_runbooks!(" where r.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct SummaryRow {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub step_count: i32,
    pub schedule: Option<String>,
    pub used_by: Vec<String>,
    pub last_run_state: Option<String>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl SummaryRow {
    pub fn dto(&self) -> RunbookSummary {
        RunbookSummary {
            id: self.id,
            name: self.name.clone(),
            description: self.description.clone(),
            step_count: self.step_count,
            schedule: self.schedule.clone(),
            used_by: self.used_by.clone(),
            last_run_state: self.last_run_state.as_deref().and_then(RunState::parse),
            last_run_at: self.last_run_at,
            updated_at: self.updated_at,
        }
    }
}

/// Lists runbooks by name.
pub async fn list(db: &PgPool) -> sqlx::Result<Vec<SummaryRow>> {
    sqlx::query_as(
        "select r.id, r.name, r.description, jsonb_array_length(r.steps) as step_count,
            r.schedule,
            array(select d.name from asset_definitions d
                  where r.id in (d.provision_runbook_id, d.deprovision_runbook_id,
                                 d.reinstall_runbook_id)
                  order by lower(d.name)) as used_by,
            last.state as last_run_state, last.created_at as last_run_at, r.updated_at
         from runbooks r
         left join lateral (
            select state, created_at from runbook_runs
            where runbook_id = r.id order by created_at desc, id desc limit 1
         ) last on true
         order by lower(r.name) limit 500",
    )
    .fetch_all(db)
    .await
}

/// Returns the runbooks with a schedule, for the scheduler.
pub async fn scheduled(db: &PgPool) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as("select id, schedule from runbooks where schedule is not null")
        .fetch_all(db)
        .await
}

pub async fn insert(
    tx: &mut Tx<'_>,
    input: &RunbookInput,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "insert into runbooks (id, name, description, steps, schedule, notes, version,
            created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
    )
    .bind(id)
    .bind(input.name.trim())
    .bind(&input.description)
    .bind(Json(&input.steps))
    .bind(input.schedule.as_deref().map(str::trim))
    .bind(&input.notes)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Saves a runbook and counts the version up. Returns false when there is no such runbook, or
/// when `input.base_version` is set and the runbook is at another version.
pub async fn update(
    tx: &mut Tx<'_>,
    id: Uuid,
    input: &RunbookInput,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "update runbooks set name = $2, description = $3, steps = $4, schedule = $5,
            notes = $6, version = version + 1, updated_at = $7
         where id = $1 and ($8::integer is null or version = $8)",
    )
    .bind(id)
    .bind(input.name.trim())
    .bind(&input.description)
    .bind(Json(&input.steps))
    .bind(input.schedule.as_deref().map(str::trim))
    .bind(&input.notes)
    .bind(now)
    .bind(input.base_version)
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Deletes a runbook; its runs keep their journal and name.
pub async fn delete(tx: &mut Tx<'_>, id: Uuid) -> sqlx::Result<bool> {
    let deleted = sqlx::query("delete from runbooks where id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(deleted.rows_affected() == 1)
}

/// Returns the names of the definitions that run the runbook.
pub async fn in_use(tx: &mut Tx<'_>, id: Uuid) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "select name from asset_definitions
         where $1 in (provision_runbook_id, deprovision_runbook_id, reinstall_runbook_id)
         order by lower(name)",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await
}

/// Returns whether a runbook with this id exists.
pub async fn exists(db: &PgPool, id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists (select 1 from runbooks where id = $1)")
        .bind(id)
        .fetch_one(db)
        .await
}
