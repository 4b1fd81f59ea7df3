//! Counts the setup checklist reads from the catalog, the pool and the API tokens.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// Counts the definitions people can order.
pub async fn active_definitions(db: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar("select count(*) from asset_definitions where active")
        .fetch_one(db)
        .await
}

/// Names the active definitions that assign instances from the pool but have none in it
/// (retired instances do not count), in name order, with how many there are in all.
pub async fn definitions_without_instances(
    db: &PgPool,
    limit: i64,
) -> sqlx::Result<(Vec<String>, i64)> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "select d.name, count(*) over ()
         from asset_definitions d
         where d.active and d.assignment <> 'capacity_pooled'
           and not exists (
               select 1 from assets a where a.definition_id = d.id and a.status <> 'retired'
           )
         order by lower(d.name), d.id
         limit $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await?;
    let total = rows.first().map_or(0, |(_, total)| *total);
    Ok((rows.into_iter().map(|(name, _)| name).collect(), total))
}

/// Counts the API tokens that are neither revoked nor expired at `now`.
pub async fn active_tokens(db: &PgPool, now: DateTime<Utc>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select count(*) from api_tokens where revoked_at is null and expires_at > $1",
    )
    .bind(now)
    .fetch_one(db)
    .await
}
