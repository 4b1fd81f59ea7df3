//! The append-only audit log. Every mutation writes its row in the transaction that makes
//! the change, so the change and its record commit or roll back together.

use super::{Tx, cursor};
use crate::auth::Actor;
use chrono::{DateTime, Utc};
use serde_json::Value;
use shared::audit::AuditEntry;
use sqlx::{FromRow, PgPool, QueryBuilder};
use uuid::Uuid;

/// What changed, for one audit row.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(
    tx: &mut Tx<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    change: Change<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into audit_log (id, at, actor, action, entity_type, entity_id, before, after)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Uuid::now_v7())
    .bind(now)
    .bind(actor.as_str())
    .bind(change.action)
    .bind(change.entity_type)
    .bind(change.entity_id)
    .bind(change.before)
    .bind(change.after)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct AuditRow {
    id: Uuid,
    at: DateTime<Utc>,
    actor: String,
    action: String,
    entity_type: String,
    entity_id: String,
    before: Option<Value>,
    after: Option<Value>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> AuditEntry {
        AuditEntry {
            id: row.id,
            at: row.at,
            actor: row.actor,
            action: row.action,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            before: row.before,
            after: row.after,
        }
    }
}

#[derive(Debug, Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Rows at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Rows before this time.
    pub until: Option<DateTime<Utc>>,
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// Lists audit rows, newest first, after the keyset position in the filter.
pub async fn list(
    db: &PgPool,
    filter: &AuditFilter,
) -> sqlx::Result<(Vec<AuditEntry>, Option<String>)> {
    let mut query = QueryBuilder::new("select * from audit_log where true");
    if let Some(value) = &filter.entity_type {
        query.push(" and entity_type = ").push_bind(value);
    }
    if let Some(value) = &filter.entity_id {
        query.push(" and entity_id = ").push_bind(value);
    }
    if let Some(value) = &filter.actor {
        query.push(" and actor = ").push_bind(value);
    }
    if let Some(value) = &filter.action {
        query.push(" and action = ").push_bind(value);
    }
    if let Some(from) = filter.from {
        query.push(" and at >= ").push_bind(from);
    }
    if let Some(until) = filter.until {
        query.push(" and at < ").push_bind(until);
    }
    if let Some((at, id)) = filter.after {
        query
            .push(" and (at, id) < (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    query
        .push(" order by at desc, id desc limit ")
        .push_bind(filter.limit + 1);

    let mut rows: Vec<AuditRow> = query.build_query_as().fetch_all(db).await?;
    let next = page_cursor(&mut rows, filter.limit, |row| {
        cursor::encode(row.at, row.id)
    });
    let items = rows.into_iter().map(AuditEntry::from).collect();
    Ok((items, next))
}

/// Trims a page fetched with one extra row and returns the cursor of the next page, if any.
pub fn page_cursor<T>(rows: &mut Vec<T>, limit: i64, key: impl Fn(&T) -> String) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(0);
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(key)
    } else {
        None
    }
}
