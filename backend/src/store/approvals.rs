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
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
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

    pub fn dto(&self) -> Approval {
        Approval {
            id: self.id,
            purpose: self.purpose(),
            approver: self.approver(),
            state: self.state(),
            decided_at: self.decided_at,
            decided_by: self.decided_by.clone(),
        }
    }
}

pub async fn insert(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    approver: &Person,
    purpose: ApprovalPurpose,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    let purpose = match purpose {
        ApprovalPurpose::Order => "order",
        ApprovalPurpose::Change => "change",
    };
    sqlx::query(
        "insert into approvals (id, order_id, approver_name, approver_email, approver_dn,
            state, created_at, purpose)
         values ($1, $2, $3, $4, $5, 'pending', $6, $7)",
    )
    .bind(id)
    .bind(order_id)
    .bind(&approver.display_name)
    .bind(&approver.email)
    .bind(&approver.directory_dn)
    .bind(now)
    .bind(purpose)
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
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let state = match decision {
        Decision::Approve => "approved",
        Decision::Decline => "declined",
    };
    let updated = sqlx::query(
        "update approvals set state = $2, decided_at = $3, decided_by = $4
         where id = $1 and state = 'pending'",
    )
    .bind(id)
    .bind(state)
    .bind(now)
    .bind(decided_by)
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Marks every pending approval of an order as no longer needed. Returns how many changed.
pub async fn supersede_pending(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    decided_by: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let updated = sqlx::query(
        "update approvals set state = 'superseded', decided_at = $2, decided_by = $3
         where order_id = $1 and state = 'pending'",
    )
    .bind(order_id)
    .bind(now)
    .bind(decided_by)
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected())
}
