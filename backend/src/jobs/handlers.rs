//! What each kind of job does. Every handler is idempotent: running it again after a crash,
//! part-way or after it finished, leaves the same result.

use super::queue::JobRow;
use crate::lifecycle;
use crate::notifications;
use crate::state::AppState;
use crate::store::Tx;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

pub const PROVISION_ORDER: &str = "order.provision";
pub const DEPROVISION_ORDER: &str = "order.deprovision";
pub const MAIL_APPROVAL_REQUEST: &str = "mail.approval_request";
pub const MAIL_ORDER_UPDATE: &str = "mail.order_update";
pub const EXPIRY_CHECK: &str = "orders.expiry_check";

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt after a backoff (a directory or mail server is down).
    #[error(transparent)]
    Retry(anyhow::Error),
    /// Another attempt cannot succeed (the payload names nothing that exists).
    #[error(transparent)]
    Permanent(anyhow::Error),
}

impl From<sqlx::Error> for JobError {
    fn from(error: sqlx::Error) -> Self {
        JobError::Retry(error.into())
    }
}

#[derive(Deserialize)]
struct OrderPayload {
    order_id: Uuid,
}

#[derive(Deserialize)]
struct DeprovisionPayload {
    order_id: Uuid,
    reason: notifications::Update,
}

#[derive(Deserialize)]
struct ApprovalPayload {
    approval_id: Uuid,
}

fn payload<T: for<'de> Deserialize<'de>>(job: &JobRow) -> Result<T, JobError> {
    serde_json::from_value(job.payload.clone())
        .map_err(|e| JobError::Permanent(anyhow::anyhow!("the job payload is invalid: {e}")))
}

pub async fn run(state: &AppState, job: &JobRow) -> Result<(), JobError> {
    match job.kind.as_str() {
        PROVISION_ORDER => {
            let p: OrderPayload = payload(job)?;
            lifecycle::provision::run(state, p.order_id).await
        }
        DEPROVISION_ORDER => {
            let p: DeprovisionPayload = payload(job)?;
            lifecycle::deprovision::run(state, p.order_id, p.reason).await
        }
        MAIL_APPROVAL_REQUEST => {
            let p: ApprovalPayload = payload(job)?;
            notifications::send_approval_request(state, p.approval_id).await
        }
        MAIL_ORDER_UPDATE => {
            let p: notifications::OrderUpdate = payload(job)?;
            notifications::send_order_update(state, &p).await
        }
        EXPIRY_CHECK => lifecycle::expiry::run(state).await,
        other => Err(JobError::Permanent(anyhow::anyhow!(
            "no handler for jobs of kind {other}"
        ))),
    }
}

/// Runs when a job is parked as dead, in the same transaction: the order it served is marked
/// failed so an admin sees it and can retry.
pub async fn on_dead(
    tx: &mut Tx<'_>,
    job: &JobRow,
    error: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    if matches!(job.kind.as_str(), PROVISION_ORDER | DEPROVISION_ORDER)
        && let Ok(p) = serde_json::from_value::<OrderPayload>(job.payload.clone())
    {
        lifecycle::mark_failed(tx, p.order_id, &job.kind, error, now).await?;
    }
    Ok(())
}
