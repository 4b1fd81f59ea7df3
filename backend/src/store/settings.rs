use super::Tx;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgPool;

pub async fn get(db: &PgPool, key: &str) -> sqlx::Result<Option<Value>> {
    sqlx::query_scalar("select value from settings where key = $1")
        .bind(key)
        .fetch_optional(db)
        .await
}

/// Reads a section inside a transaction, locking its row so concurrent saves serialize.
pub async fn get_for_update(tx: &mut Tx<'_>, key: &str) -> sqlx::Result<Option<Value>> {
    sqlx::query_scalar("select value from settings where key = $1 for update")
        .bind(key)
        .fetch_optional(&mut **tx)
        .await
}

pub async fn put(
    tx: &mut Tx<'_>,
    key: &str,
    value: &Value,
    now: DateTime<Utc>,
    updated_by: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into settings (key, value, updated_at, updated_by) values ($1, $2, $3, $4)
         on conflict (key) do update
         set value = excluded.value, updated_at = excluded.updated_at,
             updated_by = excluded.updated_by",
    )
    .bind(key)
    .bind(value)
    .bind(now)
    .bind(updated_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Returns the keys among `keys` whose stored section has `"enabled": true`.
pub async fn enabled_among(tx: &mut Tx<'_>, keys: &[&str]) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "select key from settings
         where key = any($1) and value -> 'enabled' = 'true'::jsonb
         order by key",
    )
    .bind(keys)
    .fetch_all(&mut **tx)
    .await
}
