//! Global runbook variables and secrets. A secret's value is stored encrypted.

use super::Tx;
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgPool};

#[derive(Debug, Clone, FromRow)]
pub struct VariableRow {
    pub name: String,
    pub secret: bool,
    /// Encrypted when `secret`.
    pub value: String,
    pub updated_at: DateTime<Utc>,
}

pub async fn list(db: &PgPool) -> sqlx::Result<Vec<VariableRow>> {
    sqlx::query_as(
        "select name, secret, value, updated_at from runbook_variables order by name limit 1000",
    )
    .fetch_all(db)
    .await
}

pub async fn find(tx: &mut Tx<'_>, name: &str) -> sqlx::Result<Option<VariableRow>> {
    sqlx::query_as(
        "select name, secret, value, updated_at from runbook_variables where name = $1
         for update",
    )
    .bind(name)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn upsert(
    tx: &mut Tx<'_>,
    name: &str,
    secret: bool,
    stored: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into runbook_variables (name, secret, value, updated_at) values ($1, $2, $3, $4)
         on conflict (name) do update set secret = $2, value = $3, updated_at = $4",
    )
    .bind(name)
    .bind(secret)
    .bind(stored)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx<'_>, name: &str) -> sqlx::Result<bool> {
    let deleted = sqlx::query("delete from runbook_variables where name = $1")
        .bind(name)
        .execute(&mut **tx)
        .await?;
    Ok(deleted.rows_affected() == 1)
}
