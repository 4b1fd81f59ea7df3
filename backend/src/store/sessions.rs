use super::Tx;
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: Uuid,
    /// Absent for a session opened with the legacy admin key.
    pub user_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

pub async fn insert(
    tx: &mut Tx<'_>,
    user_id: Option<Uuid>,
    address: Option<&str>,
    user_agent: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "insert into admin_sessions
            (id, user_id, legacy_key, created_at, last_seen_at, address, user_agent)
         values ($1, $2, $2 is null, $3, $3, $4, $5)",
    )
    .bind(id)
    .bind(user_id)
    .bind(now)
    .bind(address)
    .bind(user_agent.map(|ua| ua.chars().take(300).collect::<String>()))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<SessionRow>> {
    sqlx::query_as("select * from admin_sessions where id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Records activity at most once a minute, so reads do not write on every request.
pub async fn touch(db: &PgPool, id: Uuid, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "update admin_sessions set last_seen_at = $2
         where id = $1 and ended_at is null and last_seen_at < $2 - interval '1 minute'",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Ends a session of `user_id` (none for a legacy key session); returns false when there
/// was no such open session.
pub async fn end(
    db: &PgPool,
    id: Uuid,
    user_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "update admin_sessions set ended_at = $3
         where id = $1 and user_id is not distinct from $2 and ended_at is null",
    )
    .bind(id)
    .bind(user_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Returns the open sessions of a user, newest first.
pub async fn open_for(db: &PgPool, user_id: Uuid) -> sqlx::Result<Vec<SessionRow>> {
    sqlx::query_as(
        "select * from admin_sessions where user_id = $1 and ended_at is null
         order by created_at desc limit 100",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}
