use super::Tx;
use chrono::{DateTime, Utc};
use shared::approvals::{ApprovalGroup, ApprovalSource, GroupState};
use shared::orders::{ApprovalPurpose, Person};
use sqlx::FromRow;
use sqlx::types::Json;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct GroupRow {
    pub id: Uuid,
    pub order_id: Uuid,
    pub purpose: String,
    pub source: String,
    pub name: String,
    pub reason: String,
    pub quorum: i32,
    pub stage: i16,
    pub state: String,
    pub members: Json<Vec<Person>>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

fn from_name<T: for<'de> serde::Deserialize<'de>>(value: &str) -> T {
    serde_json::from_value(serde_json::Value::String(value.into()))
        .expect("check constraints admit only known names")
}

impl GroupRow {
    pub fn state(&self) -> GroupState {
        from_name(&self.state)
    }

    pub fn source(&self) -> ApprovalSource {
        from_name(&self.source)
    }

    pub fn dto(&self, approved: u32) -> ApprovalGroup {
        ApprovalGroup {
            id: self.id,
            source: self.source(),
            name: self.name.clone(),
            reason: self.reason.clone(),
            quorum: u32::try_from(self.quorum).unwrap_or(1),
            stage: u8::try_from(self.stage).unwrap_or(1),
            state: self.state(),
            approved,
        }
    }
}

/// A group about to be created.
pub struct NewGroup<'a> {
    pub order_id: Uuid,
    pub purpose: ApprovalPurpose,
    pub source: ApprovalSource,
    pub name: &'a str,
    pub reason: &'a str,
    pub quorum: u32,
    pub stage: u8,
    pub members: &'a [Person],
}

pub async fn insert(
    tx: &mut Tx<'_>,
    group: &NewGroup<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "insert into approval_groups (id, order_id, purpose, source, name, reason, quorum,
            stage, state, members, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, 'waiting', $9, $10)",
    )
    .bind(id)
    .bind(group.order_id)
    .bind(super::approvals::purpose_name(group.purpose))
    .bind(crate::store::definitions::enum_name(&group.source))
    .bind(group.name)
    .bind(group.reason)
    .bind(i32::try_from(group.quorum).unwrap_or(i32::MAX))
    .bind(i16::from(group.stage))
    .bind(Json(group.members))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Lists the groups of an order and purpose that are still open (waiting or pending), in stage
/// order.
pub async fn open_for_order(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    purpose: ApprovalPurpose,
) -> sqlx::Result<Vec<GroupRow>> {
    sqlx::query_as(
        "select * from approval_groups
         where order_id = $1 and purpose = $2 and state in ('waiting', 'pending')
         order by stage, created_at, id",
    )
    .bind(order_id)
    .bind(super::approvals::purpose_name(purpose))
    .fetch_all(&mut **tx)
    .await
}

pub async fn find_in(tx: &mut Tx<'_>, id: Uuid) -> sqlx::Result<Option<GroupRow>> {
    sqlx::query_as("select * from approval_groups where id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// Moves a group from one state to another. Returns false when it was not in `from`.
pub async fn set_state(
    tx: &mut Tx<'_>,
    id: Uuid,
    from: GroupState,
    to: GroupState,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let decided = matches!(
        to,
        GroupState::Satisfied | GroupState::Declined | GroupState::Closed
    );
    let updated = sqlx::query(
        "update approval_groups set state = $3,
            decided_at = case when $4 then $5 else decided_at end
         where id = $1 and state = $2",
    )
    .bind(id)
    .bind(crate::store::definitions::enum_name(&from))
    .bind(crate::store::definitions::enum_name(&to))
    .bind(decided)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Closes every open group of an order, whatever its purpose, when the order is withdrawn.
pub async fn close_all_open(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update approval_groups set state = 'closed', decided_at = $2
         where order_id = $1 and state in ('waiting', 'pending')",
    )
    .bind(order_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Closes every open group of an order and purpose, when the order is decided or withdrawn.
pub async fn close_open(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    purpose: ApprovalPurpose,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update approval_groups set state = 'closed', decided_at = $3
         where order_id = $1 and purpose = $2 and state in ('waiting', 'pending')",
    )
    .bind(order_id)
    .bind(super::approvals::purpose_name(purpose))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Lists the groups of an order with how many distinct approvers approved each.
pub async fn for_order(db: &sqlx::PgPool, order_id: Uuid) -> sqlx::Result<Vec<(GroupRow, i64)>> {
    let groups: Vec<GroupRow> = sqlx::query_as(
        "select * from approval_groups where order_id = $1 order by created_at, stage, id",
    )
    .bind(order_id)
    .fetch_all(db)
    .await?;
    let counts: Vec<(Uuid, i64)> = sqlx::query_as(
        "select group_id, count(distinct lower(decided_by)) from approvals
         where order_id = $1 and group_id is not null and state = 'approved'
         group by group_id",
    )
    .bind(order_id)
    .fetch_all(db)
    .await?;
    Ok(groups
        .into_iter()
        .map(|g| {
            let approved = counts
                .iter()
                .find(|(id, _)| *id == g.id)
                .map_or(0, |(_, n)| *n);
            (g, approved)
        })
        .collect())
}

/// Returns whether an order has groups whose stage has not started.
pub async fn has_waiting(db: &sqlx::PgPool, order_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from approval_groups where order_id = $1 and state = 'waiting')",
    )
    .bind(order_id)
    .fetch_one(db)
    .await
}
