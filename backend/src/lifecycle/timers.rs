//! Approvals left open. Reminders go out after each interval, up to the configured number.
//! Then the escalation contacts are notified, or asked to decide in the approver's place.
//! Optionally the system declines an approval older than the set number of days.
//! Each step is a conditional update, so running the check twice, or on two replicas, sends
//! nothing twice.

use super::routing::{self, Router};
use super::stages;
use crate::auth::Actor;
use crate::jobs::handlers::JobError;
use crate::notifications::chat::Post;
use crate::notifications::{self, Ask, EscalationNotice};
use crate::state::AppState;
use crate::store::approvals::ApprovalRow;
use crate::store::{self, audit::Change};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use shared::orders::Decision;
use shared::settings::{ApprovalSettings, EscalationMode};

/// The maximum number of approvals one run handles per step; the next run takes the rest.
const BATCH: i64 = 500;

fn retry(error: impl std::fmt::Display) -> JobError {
    JobError::Retry(anyhow::anyhow!("{error}"))
}

pub async fn run(state: &AppState) -> Result<(), JobError> {
    let settings = routing::settings(state).await.map_err(retry)?;
    let now = state.clock.now();
    let interval = Duration::hours(i64::from(settings.reminder_interval_hours));
    if let Some(days) = settings.auto_decline_days {
        auto_decline(state, now - Duration::days(i64::from(days))).await?;
    }
    remind(state, &settings, now, interval).await?;
    escalate(state, &settings, now, interval).await
}

async fn remind(
    state: &AppState,
    settings: &ApprovalSettings,
    now: DateTime<Utc>,
    interval: Duration,
) -> Result<(), JobError> {
    let due: Vec<ApprovalRow> = sqlx::query_as(
        "select * from approvals
         where state = 'pending' and reminders_sent < $1
            and coalesce(last_reminded_at, created_at) <= $2
         order by created_at, id limit $3",
    )
    .bind(i32::try_from(settings.max_reminders).unwrap_or(0))
    .bind(now - interval)
    .bind(BATCH)
    .fetch_all(&state.db)
    .await?;
    for approval in due {
        let mut tx = state.db.begin().await?;
        let counted = sqlx::query(
            "update approvals set reminders_sent = reminders_sent + 1, last_reminded_at = $2
             where id = $1 and state = 'pending' and reminders_sent = $3",
        )
        .bind(approval.id)
        .bind(now)
        .bind(approval.reminders_sent)
        .execute(&mut *tx)
        .await?;
        if counted.rows_affected() == 1 {
            notifications::ask_approver(&mut tx, approval.id, Ask::Reminder, now).await?;
        }
        tx.commit().await?;
        tracing::info!(approval_id = %approval.id, reminder = approval.reminders_sent + 1, "approval reminder queued");
    }
    Ok(())
}

async fn escalate(
    state: &AppState,
    settings: &ApprovalSettings,
    now: DateTime<Utc>,
    interval: Duration,
) -> Result<(), JobError> {
    let due: Vec<ApprovalRow> = sqlx::query_as(
        "select * from approvals
         where state = 'pending' and escalated_at is null and reminders_sent >= $1
            and coalesce(last_reminded_at, created_at) <= $2
         order by created_at, id limit $3",
    )
    .bind(i32::try_from(settings.max_reminders).unwrap_or(0))
    .bind(now - interval)
    .bind(BATCH)
    .fetch_all(&state.db)
    .await?;
    if due.is_empty() {
        return Ok(());
    }
    if settings.escalation_contacts.is_empty() {
        // With no contacts configured, mark them so the check skips them from now on.
        for approval in &due {
            sqlx::query(
                "update approvals set escalated_at = $2 where id = $1 and escalated_at is null",
            )
            .bind(approval.id)
            .bind(now)
            .execute(&state.db)
            .await?;
        }
        return Ok(());
    }
    let router = Router::new(state).await.map_err(retry)?;
    let (contacts, issues) = router
        .people(&settings.escalation_contacts)
        .await
        .map_err(retry)?;
    if !issues.is_empty() {
        tracing::warn!(?issues, "some escalation contacts cannot be reached");
    }
    let actor = Actor::system("escalation");
    for approval in due {
        let mut tx = state.db.begin().await?;
        let marked = sqlx::query(
            "update approvals set escalated_at = $2
             where id = $1 and state = 'pending' and escalated_at is null",
        )
        .bind(approval.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() == 0 {
            tx.rollback().await?;
            continue;
        }
        let Some(order) = store::orders::find_for_update_in(&mut tx, approval.order_id).await?
        else {
            tx.rollback().await?;
            continue;
        };
        let subject = stages::subject_of(&order, approval.purpose());
        let eligible: Vec<_> = contacts
            .iter()
            .filter(|c| {
                !routing::same_person(c, &approval.approver())
                    && !routing::same_person(c, &subject.requester)
                    && subject
                        .deputy
                        .as_ref()
                        .is_none_or(|d| !routing::same_person(c, d))
            })
            .collect();
        let group = match approval.group_id {
            Some(id) => store::approval_groups::find_in(&mut tx, id).await?,
            None => None,
        };
        let mode = match (settings.escalation_mode, &group) {
            (EscalationMode::Approve, Some(_)) => EscalationMode::Approve,
            _ => EscalationMode::NotifyOnly,
        };
        let since = approval.created_at.format("%Y-%m-%d %H:%M UTC");
        for contact in &eligible {
            match (&group, mode) {
                (Some(group), EscalationMode::Approve) => {
                    let pending =
                        store::approvals::pending_for_order(&mut tx, order.id, approval.purpose())
                            .await?;
                    if pending
                        .iter()
                        .any(|p| routing::same_person(&p.approver(), contact))
                    {
                        continue;
                    }
                    let note = format!(
                        "{} has not decided since {since}, after {} reminder(s); as escalation \
                         contact you may decide in their place",
                        approval.approver_name, approval.reminders_sent
                    );
                    stages::ask(
                        &mut tx,
                        order.id,
                        group,
                        approval.purpose(),
                        contact,
                        Some(&approval.approver()),
                        Some(&note),
                        &actor,
                        now,
                    )
                    .await
                    .map_err(retry)?;
                }
                _ => {
                    let notice = EscalationNotice {
                        approval_id: approval.id,
                        contact: (*contact).clone(),
                    };
                    notifications::notify_escalation(&mut tx, &notice, now).await?;
                }
            }
        }
        if mode == EscalationMode::NotifyOnly {
            notifications::chat::enqueue(&mut tx, approval.id, Post::Escalation, now).await?;
        }
        let change = Change {
            action: "approval.escalate",
            entity_type: "approval",
            entity_id: approval.id.to_string(),
            before: None,
            after: Some(json!({
                "order_id": order.id,
                "approver": approval.approver_email,
                "mode": mode,
                "contacts": eligible.iter().map(|c| &c.email).collect::<Vec<_>>(),
                "reminders_sent": approval.reminders_sent,
            })),
        };
        store::audit::record(&mut tx, &actor, now, change).await?;
        tx.commit().await?;
        tracing::info!(approval_id = %approval.id, ?mode, contacts = eligible.len(), "approval escalated");
    }
    Ok(())
}

/// Declines approvals created before `cutoff`, which rejects their orders.
async fn auto_decline(state: &AppState, cutoff: DateTime<Utc>) -> Result<(), JobError> {
    let due: Vec<ApprovalRow> = sqlx::query_as(
        "select * from approvals where state = 'pending' and created_at <= $1
         order by created_at, id limit $2",
    )
    .bind(cutoff)
    .bind(BATCH)
    .fetch_all(&state.db)
    .await?;
    let actor = Actor::system("auto_decline");
    for approval in due {
        match super::decide::decide_as_system(state, &approval, Decision::Decline, &actor).await {
            Ok(_) => tracing::info!(approval_id = %approval.id, "approval declined for age"),
            // Decided meanwhile by someone else: nothing left to do.
            Err(crate::error::ApiError::Conflict { .. }) => {}
            Err(error) => return Err(retry(error)),
        }
    }
    Ok(())
}
