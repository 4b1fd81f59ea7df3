//! The installation's start, the uploaded license, the count of active users and the days the
//! license alert was mailed.

use super::Tx;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, PgPool};

#[derive(Debug, Clone, FromRow)]
pub struct UploadRow {
    pub license_id: String,
    pub document: String,
    pub uploaded_at: DateTime<Utc>,
    pub uploaded_by: String,
}

/// Returns when the installation first started. The migration that added licensing wrote it.
pub async fn installed_at(db: &PgPool) -> sqlx::Result<DateTime<Utc>> {
    sqlx::query_scalar("select started_at from installation_start")
        .fetch_one(db)
        .await
}

/// Counts the people holding an active order: access granted and not yet being removed,
/// including orders with a change waiting for approval.
pub async fn active_users(db: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select count(distinct requester_id) from orders
         where state in ('active', 'modification_pending')",
    )
    .fetch_one(db)
    .await
}

pub async fn upload(db: &PgPool) -> sqlx::Result<Option<UploadRow>> {
    sqlx::query_as("select * from license_upload")
        .fetch_optional(db)
        .await
}

/// Reads the uploaded license, locking its row until the transaction ends.
pub async fn upload_for_update(tx: &mut Tx<'_>) -> sqlx::Result<Option<UploadRow>> {
    sqlx::query_as("select * from license_upload for update")
        .fetch_optional(&mut **tx)
        .await
}

/// Stores `row` as the uploaded license, replacing any earlier one.
pub async fn put_upload(tx: &mut Tx<'_>, row: &UploadRow) -> sqlx::Result<()> {
    sqlx::query(
        "insert into license_upload (singleton, license_id, document, uploaded_at, uploaded_by)
         values (true, $1, $2, $3, $4)
         on conflict (singleton) do update
         set license_id = excluded.license_id, document = excluded.document,
             uploaded_at = excluded.uploaded_at, uploaded_by = excluded.uploaded_by",
    )
    .bind(&row.license_id)
    .bind(&row.document)
    .bind(row.uploaded_at)
    .bind(&row.uploaded_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes the uploaded license; returns whether there was one.
pub async fn delete_upload(tx: &mut Tx<'_>) -> sqlx::Result<bool> {
    let deleted = sqlx::query("delete from license_upload")
        .execute(&mut **tx)
        .await?;
    Ok(deleted.rows_affected() > 0)
}

/// Claims `day` for the license alert. Returns false when the alert of that day was already
/// sent, by this process or another replica.
pub async fn claim_alert_day(
    tx: &mut Tx<'_>,
    day: NaiveDate,
    recipients: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let inserted = sqlx::query(
        "insert into license_alert_days (day, sent_at, recipients) values ($1, $2, $3)
         on conflict (day) do nothing",
    )
    .bind(day)
    .bind(now)
    .bind(recipients)
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected() == 1)
}
