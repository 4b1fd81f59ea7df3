//! What each kind of job does. Every handler is idempotent: running it again after a crash,
//! part-way or after it finished, leaves the same result.

use super::queue::JobRow;
use crate::integrations::chat::{Slack, Teams};
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
pub const MAIL_ESCALATION_NOTICE: &str = "mail.escalation_notice";
/// Posts about an approval to a Microsoft Teams channel.
pub const CHAT_TEAMS: &str = "chat.teams";
/// Posts about an approval to a Slack channel.
pub const CHAT_SLACK: &str = "chat.slack";
/// A message composed when the job was enqueued, such as the policy check's report.
pub const MAIL_SEND: &str = "mail.send";
pub const APPROVAL_TIMERS: &str = "approvals.timers";
pub const POLICY_CHECK: &str = "approvals.policy_check";
pub const EXPIRY_CHECK: &str = "orders.expiry_check";
pub const TOKEN_PURGE: &str = "tokens.purge";
/// Deletes succeeded jobs older than [`JOB_RETENTION_DAYS`].
pub const JOB_PURGE: &str = "jobs.purge";
/// How long succeeded jobs stay in the jobs table. Dead jobs stay until an admin retries or
/// purges them, since each needs a look.
pub const JOB_RETENTION_DAYS: i64 = 30;
/// Checks the license and mails superadmins once a day during the grace period.
pub const LICENSE_CHECK: &str = "license.check";
/// Runs or resumes a runbook run.
pub const RUNBOOK_RUN: &str = "runbook.run";
/// Writes a database backup to the backup folder.
pub const BACKUP_CREATE: &str = "backup.create";
/// Checks every component's health and mails alerts about changes.
pub const HEALTH_CHECK: &str = "health.check";
/// Does nothing. The job queue benchmark (`e2e/bench/jobs.sh`) measures the queue itself with it.
pub const BENCH_NOOP: &str = "bench.noop";

/// Every kind of job [`run`] handles.
pub const KINDS: [&str; 18] = [
    PROVISION_ORDER,
    DEPROVISION_ORDER,
    MAIL_APPROVAL_REQUEST,
    MAIL_ORDER_UPDATE,
    MAIL_ESCALATION_NOTICE,
    CHAT_TEAMS,
    CHAT_SLACK,
    MAIL_SEND,
    APPROVAL_TIMERS,
    POLICY_CHECK,
    EXPIRY_CHECK,
    TOKEN_PURGE,
    JOB_PURGE,
    LICENSE_CHECK,
    RUNBOOK_RUN,
    BACKUP_CREATE,
    HEALTH_CHECK,
    BENCH_NOOP,
];

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt after a backoff (a directory or mail server is down).
    #[error(transparent)]
    Retry(anyhow::Error),
    /// Worth another attempt, but not before `delay`, as a throttled service asked with
    /// `Retry-After`. The usual backoff applies when it is longer.
    #[error("{error}")]
    RetryAfter {
        error: anyhow::Error,
        delay: chrono::Duration,
    },
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
            let p: notifications::ApprovalMessage = payload(job)?;
            notifications::send_approval_request(state, p.approval_id, p.ask).await
        }
        MAIL_ESCALATION_NOTICE => {
            let p: notifications::EscalationNotice = payload(job)?;
            notifications::send_escalation_notice(state, &p).await
        }
        CHAT_TEAMS => {
            let p: notifications::chat::ChatPost = payload(job)?;
            notifications::chat::post::<Teams>(state, &p).await
        }
        CHAT_SLACK => {
            let p: notifications::chat::ChatPost = payload(job)?;
            notifications::chat::post::<Slack>(state, &p).await
        }
        MAIL_SEND => {
            let email: crate::integrations::mail::Email = payload(job)?;
            notifications::send(state, email).await
        }
        APPROVAL_TIMERS => lifecycle::timers::run(state).await,
        POLICY_CHECK => lifecycle::policy_check::run(state).await,
        MAIL_ORDER_UPDATE => {
            let p: notifications::OrderUpdate = payload(job)?;
            notifications::send_order_update(state, &p).await
        }
        EXPIRY_CHECK => {
            lifecycle::expiry::run(state).await?;
            lifecycle::provision::start_due(state).await?;
            lifecycle::reminders::run(state).await
        }
        TOKEN_PURGE => purge_tokens(state).await,
        JOB_PURGE => purge_jobs(state).await,
        LICENSE_CHECK => crate::license::alert::run(state).await,
        RUNBOOK_RUN => {
            let p: crate::runbooks::engine::RunPayload = payload(job)?;
            crate::runbooks::engine::run(state, p).await
        }
        BACKUP_CREATE => crate::backups::job::run(state, job).await,
        HEALTH_CHECK => crate::health::run_checks(state)
            .await
            .map(|_| ())
            .map_err(|e| JobError::Retry(e.into())),
        BENCH_NOOP => Ok(()),
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
    if job.kind == RUNBOOK_RUN
        && let Ok(p) =
            serde_json::from_value::<crate::runbooks::engine::RunPayload>(job.payload.clone())
    {
        crate::runbooks::engine::give_up(tx, p, error, now).await?;
    }
    if job.kind == BACKUP_CREATE {
        crate::backups::job::on_dead(tx, job, error, now).await?;
    }
    Ok(())
}

/// Deletes succeeded jobs that finished more than [`JOB_RETENTION_DAYS`] ago, keeping the
/// newest job of each periodic task for its dedupe key.
async fn purge_jobs(state: &AppState) -> Result<(), JobError> {
    let now = state.clock.now();
    let cutoff = now - chrono::Duration::days(JOB_RETENTION_DAYS);
    let mut tx = state.db.begin().await?;
    let deleted =
        crate::store::jobs::purge(&mut tx, shared::jobs::JobState::Succeeded, cutoff, None).await?;
    if deleted > 0 {
        let change = crate::store::audit::Change {
            action: "job.purge",
            entity_type: "job",
            entity_id: "*".into(),
            before: None,
            after: Some(serde_json::json!({
                "deleted": deleted, "state": "succeeded", "finished_before": cutoff,
            })),
        };
        let actor = crate::auth::Actor::system(JOB_PURGE);
        crate::store::audit::record(&mut tx, &actor, now, change).await?;
    }
    tx.commit().await?;
    tracing::info!(deleted, "succeeded jobs purged");
    Ok(())
}

/// Deletes API tokens revoked or expired longer ago than the security settings keep them.
async fn purge_tokens(state: &AppState) -> Result<(), JobError> {
    let settings = crate::security::current(state)
        .await
        .map_err(|e| JobError::Retry(anyhow::anyhow!("{e}")))?;
    if settings.token_purge_days == 0 {
        return Ok(());
    }
    let now = state.clock.now();
    let cutoff = now - chrono::Duration::days(i64::from(settings.token_purge_days));
    let deleted = crate::store::tokens::purge(&state.db, cutoff).await?;
    if deleted > 0 {
        let mut tx = state.db.begin().await?;
        let change = crate::store::audit::Change {
            action: "api_token.purge",
            entity_type: "api_token",
            entity_id: "*".into(),
            before: None,
            after: Some(serde_json::json!({ "deleted": deleted, "before": cutoff })),
        };
        crate::store::audit::record(
            &mut tx,
            &crate::auth::Actor::system(TOKEN_PURGE),
            now,
            change,
        )
        .await?;
        tx.commit().await?;
    }
    tracing::info!(deleted, "API token purge finished");
    Ok(())
}
