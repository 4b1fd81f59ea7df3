use super::Tx;
use chrono::{DateTime, Utc};
use shared::orders::{Approval, ApprovalPurpose, ApprovalState, Decision, Person};
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct ApprovalRow {
    pub id: Uuid,
    pub order_id: Uuid,
    pub purpose: String,
    pub approver_name: String,
    pub approver_email: String,
    pub approver_dn: String,
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub group_id: Option<Uuid>,
    pub instead_of_name: Option<String>,
    pub instead_of_email: Option<String>,
    pub instead_of_dn: Option<String>,
    pub note: Option<String>,
    pub comment: Option<String>,
    pub reminders_sent: i32,
    pub last_reminded_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
}

impl ApprovalRow {
    pub fn state(&self) -> ApprovalState {
        serde_json::from_value(serde_json::Value::String(self.state.clone()))
            .expect("the state column admits only known approval states")
    }

    pub fn purpose(&self) -> ApprovalPurpose {
        if self.purpose == "change" {
            ApprovalPurpose::Change
        } else {
            ApprovalPurpose::Order
        }
    }

    pub fn approver(&self) -> Person {
        Person {
            display_name: self.approver_name.clone(),
            email: self.approver_email.clone(),
            directory_dn: self.approver_dn.clone(),
        }
    }

    pub fn instead_of(&self) -> Option<Person> {
        Some(Person {
            display_name: self.instead_of_name.clone()?,
            email: self.instead_of_email.clone()?,
            directory_dn: self.instead_of_dn.clone().unwrap_or_default(),
        })
    }

    pub fn dto(&self) -> Approval {
        Approval {
            id: self.id,
            purpose: self.purpose(),
            approver: self.approver(),
            state: self.state(),
            created_at: self.created_at,
            decided_at: self.decided_at,
            decided_by: self.decided_by.clone(),
            group_id: self.group_id,
            instead_of: self.instead_of(),
            note: self.note.clone(),
            comment: self.comment.clone(),
            reminders_sent: self.reminders_sent,
        }
    }
}

/// An approval about to be created.
pub struct NewApproval<'a> {
    pub order_id: Uuid,
    pub group_id: Option<Uuid>,
    pub purpose: ApprovalPurpose,
    pub approver: &'a Person,
    pub instead_of: Option<&'a Person>,
    pub note: Option<&'a str>,
}

pub fn purpose_name(purpose: ApprovalPurpose) -> &'static str {
    match purpose {
        ApprovalPurpose::Order => "order",
        ApprovalPurpose::Change => "change",
    }
}

pub async fn insert(
    tx: &mut Tx<'_>,
    new: &NewApproval<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "insert into approvals (id, order_id, approver_name, approver_email, approver_dn,
            state, created_at, purpose, group_id, instead_of_name, instead_of_email,
            instead_of_dn, note)
         values ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id)
    .bind(new.order_id)
    .bind(&new.approver.display_name)
    .bind(&new.approver.email)
    .bind(&new.approver.directory_dn)
    .bind(now)
    .bind(purpose_name(new.purpose))
    .bind(new.group_id)
    .bind(new.instead_of.map(|p| &p.display_name))
    .bind(new.instead_of.map(|p| &p.email))
    .bind(new.instead_of.map(|p| &p.directory_dn))
    .bind(new.note)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<ApprovalRow>> {
    sqlx::query_as("select * from approvals where id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn for_order(db: &PgPool, order_id: Uuid) -> sqlx::Result<Vec<ApprovalRow>> {
    sqlx::query_as("select * from approvals where order_id = $1 order by created_at, id")
        .bind(order_id)
        .fetch_all(db)
        .await
}

/// Records a decision if the approval is still pending. Returns false, changing nothing,
/// when it was already decided: this makes each approval, and so each link, single-use.
pub async fn decide(
    tx: &mut Tx<'_>,
    id: Uuid,
    decision: Decision,
    decided_by: &str,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let state = match decision {
        Decision::Approve => "approved",
        Decision::Decline => "declined",
    };
    let updated = sqlx::query(
        "update approvals set state = $2, decided_at = $3, decided_by = $4, comment = $5
         where id = $1 and state = 'pending'",
    )
    .bind(id)
    .bind(state)
    .bind(now)
    .bind(decided_by)
    .bind(comment)
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Marks every pending approval of an order as no longer needed and closes its open groups.
/// Returns how many approvals changed.
pub async fn supersede_pending(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    decided_by: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let changed = supersede(tx, "order_id", order_id, decided_by, now).await?;
    super::approval_groups::close_all_open(tx, order_id, now).await?;
    Ok(changed)
}

/// Marks the pending approvals of one group as no longer needed, once it reached its quorum.
pub async fn supersede_in_group(
    tx: &mut Tx<'_>,
    group_id: Uuid,
    decided_by: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    supersede(tx, "group_id", group_id, decided_by, now).await
}

/// Supersedes the pending approvals whose `column` (`order_id` or `group_id`) is `id`.
async fn supersede(
    tx: &mut Tx<'_>,
    column: &'static str,
    id: Uuid,
    decided_by: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let sql = if column == "group_id" {
        "update approvals set state = 'superseded', decided_at = $2, decided_by = $3
         where group_id = $1 and state = 'pending'"
    } else {
        "update approvals set state = 'superseded', decided_at = $2, decided_by = $3
         where order_id = $1 and state = 'pending'"
    };
    let updated = sqlx::query(sql)
        .bind(id)
        .bind(now)
        .bind(decided_by)
        .execute(&mut **tx)
        .await?;
    Ok(updated.rows_affected())
}

/// Returns the pending approvals of an order and purpose, in the transaction.
pub async fn pending_for_order(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    purpose: ApprovalPurpose,
) -> sqlx::Result<Vec<ApprovalRow>> {
    sqlx::query_as(
        "select * from approvals where order_id = $1 and purpose = $2 and state = 'pending'
         order by created_at, id",
    )
    .bind(order_id)
    .bind(purpose_name(purpose))
    .fetch_all(&mut **tx)
    .await
}

/// Counts the distinct people who approved in a group. A decision counts by who made it, so an
/// administrator deciding several approvals of one group counts once.
pub async fn approved_in_group(tx: &mut Tx<'_>, group_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "select count(distinct lower(decided_by)) from approvals
         where group_id = $1 and state = 'approved'",
    )
    .bind(group_id)
    .fetch_one(&mut **tx)
    .await
}

/// Returns whether `actor` already decided an approval of this group other than `except`.
pub async fn decided_in_group_by(
    tx: &mut Tx<'_>,
    group_id: Uuid,
    actor: &str,
    except: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from approvals
         where group_id = $1 and state in ('approved', 'declined') and decided_by = $2
            and id <> $3)",
    )
    .bind(group_id)
    .bind(actor)
    .bind(except)
    .fetch_one(&mut **tx)
    .await
}

/// Lists the approvals of the approver with this mail address: pending ones, or decided ones
/// newest first; at most `limit`.
pub async fn for_approver(
    db: &PgPool,
    email: &str,
    pending: bool,
    limit: i64,
) -> sqlx::Result<Vec<ApprovalRow>> {
    let sql = if pending {
        "select * from approvals where lower(approver_email) = lower($1) and state = 'pending'
         order by created_at, id limit $2"
    } else {
        "select * from approvals where lower(approver_email) = lower($1)
            and state in ('approved', 'declined')
         order by decided_at desc, id desc limit $2"
    };
    sqlx::query_as(sql)
        .bind(email)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// Counts the approvals waiting for a decision and returns when the oldest of them was created.
pub async fn pending_summary(db: &PgPool) -> sqlx::Result<(i64, Option<DateTime<Utc>>)> {
    sqlx::query_as("select count(*), min(created_at) from approvals where state = 'pending'")
        .fetch_one(db)
        .await
}
