//! The queue of audit rows waiting for the SIEM, and the record of how forwarding went.

use super::Tx;
use chrono::{DateTime, Utc};
use serde_json::Value;
use shared::audit::AuditEntry;
use shared::siem::SiemDelivery;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

/// Locks the oldest queued events, up to `limit`, skipping events another replica holds, and
/// returns them oldest first.
pub async fn claim(tx: &mut Tx<'_>, limit: i64) -> sqlx::Result<Vec<AuditEntry>> {
    let events: Vec<sqlx::types::Json<AuditEntry>> = sqlx::query_scalar(
        "select event from siem_outbox
         order by queued_at, audit_id
         limit $1
         for update skip locked",
    )
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    Ok(events.into_iter().map(|event| event.0).collect())
}

/// The SIEM settings row and queue, saved before a restore and written back after it.
pub struct SiemSnapshot {
    settings: Option<(Value, DateTime<Utc>, String)>,
    queued: Vec<(Uuid, DateTime<Utc>, Value)>,
}

/// Reads the SIEM settings row and every queued event, before a restore replaces them.
pub async fn snapshot(db: &PgPool) -> sqlx::Result<SiemSnapshot> {
    let settings =
        sqlx::query_as("select value, updated_at, updated_by from settings where key = $1")
            .bind(crate::settings::SIEM)
            .fetch_optional(db)
            .await?;
    let queued = sqlx::query_as("select audit_id, queued_at, event from siem_outbox")
        .fetch_all(db)
        .await?;
    Ok(SiemSnapshot { settings, queued })
}

/// Writes back what [`snapshot`] read, so the restored database forwards to the same SIEM and
/// the events still queued before the restore, which the restored audit log may lack, go out.
pub async fn write_back(db: &PgPool, snapshot: SiemSnapshot) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    if let Some((value, updated_at, updated_by)) = snapshot.settings {
        super::settings::put(
            &mut tx,
            crate::settings::SIEM,
            &value,
            updated_at,
            &updated_by,
        )
        .await?;
    }
    for (audit_id, queued_at, event) in snapshot.queued {
        sqlx::query(
            "insert into siem_outbox (audit_id, queued_at, event) values ($1, $2, $3)
             on conflict (audit_id) do nothing",
        )
        .bind(audit_id)
        .bind(queued_at)
        .bind(event)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Removes delivered rows from the queue and counts them.
pub async fn delivered(tx: &mut Tx<'_>, ids: &[Uuid], now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query("delete from siem_outbox where audit_id = any($1)")
        .bind(ids)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "update siem_delivery set delivered_total = delivered_total + $1,
             last_delivered_at = $2, last_error = null, last_error_at = null",
    )
    .bind(i64::try_from(ids.len()).unwrap_or(i64::MAX))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records the failure of the latest attempt.
pub async fn failed(db: &PgPool, error: &str, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query("update siem_delivery set last_error = $1, last_error_at = $2")
        .bind(error)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

#[derive(FromRow)]
struct DeliveryRow {
    pending: i64,
    oldest_pending_at: Option<DateTime<Utc>>,
    delivered_total: i64,
    last_delivered_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    last_error_at: Option<DateTime<Utc>>,
}

pub async fn delivery(db: &PgPool) -> sqlx::Result<SiemDelivery> {
    let row: DeliveryRow = sqlx::query_as(
        "select (select count(*) from siem_outbox) as pending,
                (select min(queued_at) from siem_outbox) as oldest_pending_at,
                delivered_total, last_delivered_at, last_error, last_error_at
         from siem_delivery",
    )
    .fetch_one(db)
    .await?;
    Ok(SiemDelivery {
        pending: row.pending,
        oldest_pending_at: row.oldest_pending_at,
        delivered_total: row.delivered_total,
        last_delivered_at: row.last_delivered_at,
        last_error: row.last_error,
        last_error_at: row.last_error_at,
    })
}
