//! The queue of audit rows waiting for the SIEM, and the record of how forwarding went.

use super::Tx;
use super::audit::AuditRow;
use chrono::{DateTime, Utc};
use shared::audit::AuditEntry;
use shared::siem::SiemDelivery;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

/// Locks the oldest queued rows, up to `limit`, skipping rows another replica holds, and
/// returns their audit entries oldest first.
pub async fn claim(tx: &mut Tx<'_>, limit: i64) -> sqlx::Result<Vec<AuditEntry>> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "select a.* from siem_outbox o join audit_log a on a.id = o.audit_id
         order by o.queued_at, o.audit_id
         limit $1
         for update of o skip locked",
    )
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(AuditEntry::from).collect())
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
