//! Provisioning an approved order: add the requester to the definition's groups, then mark
//! the order active with its expiry.

use super::transition;
use crate::auth::Actor;
use crate::domain::expiry::expires_at;
use crate::integrations::directory::Directory;
use crate::jobs::handlers::{JobError, MAIL_ORDER_UPDATE, PROVISION_ORDER};
use crate::jobs::{NewJob, Queue, queue};
use crate::notifications::Update;
use crate::runbooks::Progress;
use crate::settings::{self, LdapConfig};
use crate::state::AppState;
use crate::store::orders::Move;
use crate::store::orders::Stamps;
use crate::store::{self, Tx};
use chrono::{DateTime, Utc};
use serde_json::json;
use shared::catalog::Strategy;
use shared::orders::OrderState;
use shared::runbooks::RunPurpose;
use uuid::Uuid;

/// Moves an approved order to provisioning and enqueues the job that carries it out.
pub async fn start(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    actor: &Actor,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let stamps = Stamps::default();
    transition(
        tx,
        order_id,
        Move {
            from: OrderState::Approved,
            to: OrderState::Provisioning,
            actor,
            note: None,
            stamps,
        },
        now,
    )
    .await?;
    let job = NewJob::new(
        Queue::Provision,
        PROVISION_ORDER,
        json!({ "order_id": order_id }),
    );
    queue::enqueue(tx, job, now).await?;
    Ok(())
}

/// Starts an approved order: provisions it now, or schedules it when it starts on a later day.
pub async fn start_or_schedule(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    actor: &Actor,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let start_at = store::orders::find_in(tx, order_id)
        .await?
        .and_then(|order| order.start_at);
    start_or_schedule_at(tx, order_id, start_at, actor, now).await
}

/// Starts or schedules an approved order like [`start_or_schedule`], given its first day.
pub async fn start_or_schedule_at(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    start_at: Option<DateTime<Utc>>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let Some(start_at) = start_at.filter(|at| *at > now) else {
        return start(tx, order_id, actor, now).await;
    };
    let note = format!("starts on {}", start_at.format("%Y-%m-%d"));
    transition(
        tx,
        order_id,
        Move {
            from: OrderState::Approved,
            to: OrderState::Scheduled,
            actor,
            note: Some(&note),
            stamps: Stamps::default(),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Moves scheduled orders whose start has come to provisioning and enqueues their jobs.
pub async fn start_due(state: &AppState) -> Result<(), JobError> {
    let actor = Actor::system(crate::jobs::handlers::EXPIRY_CHECK);
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let due = store::orders::lock_due_scheduled(&mut tx, now, 500).await?;
    for order_id in &due {
        let moved = transition(
            &mut tx,
            *order_id,
            Move {
                from: OrderState::Scheduled,
                to: OrderState::Provisioning,
                actor: &actor,
                note: Some("start day reached"),
                stamps: Stamps::default(),
            },
            now,
        )
        .await?;
        if moved {
            let job = NewJob::new(
                Queue::Provision,
                PROVISION_ORDER,
                json!({ "order_id": order_id }),
            );
            queue::enqueue(&mut tx, job, now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Loads the directory for a job; a missing configuration is retried, since an admin can add it.
pub async fn job_directory(state: &AppState) -> Result<Directory, JobError> {
    let config = settings::load_cached::<LdapConfig>(state)
        .await
        .map_err(|e| JobError::Retry(anyhow::anyhow!("{e}")))?
        .ok_or_else(|| {
            JobError::Retry(anyhow::anyhow!("the directory (LDAP) is not configured"))
        })?;
    Ok(Directory::pooled(config, state.directory.clone()))
}

/// Loads the definition of an order for its job.
pub async fn order_definition(
    state: &AppState,
    order: &store::orders::OrderRow,
) -> Result<store::definitions::DefinitionRow, JobError> {
    store::definitions::find(&state.db, order.definition_id)
        .await?
        .ok_or_else(|| {
            JobError::Permanent(anyhow::anyhow!(
                "the order's definition {} does not exist",
                order.definition_id
            ))
        })
}

/// Adds the requester to the order's groups, recording first whether each membership was
/// already there through nothing of ours.
async fn grant_groups(state: &AppState, order: &store::orders::OrderRow) -> Result<(), JobError> {
    if order.group_dns.is_empty() {
        return Ok(());
    }
    let order_id = order.id;
    let directory = job_directory(state).await?;
    let requester = directory
        .person_by_dn(&order.requester_dn)
        .await
        .map_err(|e| JobError::Retry(e.into()))?;
    if requester.disabled {
        return Err(JobError::Permanent(anyhow::anyhow!(
            "the requester's directory account {} is disabled",
            order.requester_dn
        )));
    }

    for group in &order.group_dns {
        // Recorded before the change, so a resumed run still knows what was there before.
        let was_member = directory
            .check_member(group, &order.requester_dn)
            .await
            .map_err(|e| JobError::Retry(e.into()))?;
        let pre_existing =
            store::orders::held_before(&state.db, order_id, &order.requester_dn, group, was_member)
                .await?;
        store::orders::record_grant(&state.db, order_id, group, pre_existing, state.clock.now())
            .await?;

        let change = directory
            .add_member(group, &order.requester_dn)
            .await
            .map_err(|e| JobError::Retry(e.into()))?;
        tracing::info!(order_id = %order_id, group = %group, ?change, pre_existing, "group membership granted");
    }

    Ok(())
}

pub async fn run(state: &AppState, order_id: Uuid) -> Result<(), JobError> {
    let order = store::orders::find(&state.db, order_id)
        .await?
        .ok_or_else(|| JobError::Permanent(anyhow::anyhow!("order {order_id} does not exist")))?;
    if order.state() != OrderState::Provisioning {
        tracing::info!(order_id = %order_id, state = order.state().as_str(), "nothing to provision");
        return Ok(());
    }

    let definition = order_definition(state, &order).await?;
    let strategy = definition.strategy();
    if strategy != Strategy::Runbook {
        grant_groups(state, &order).await?;
    }
    if strategy != Strategy::GroupAccess {
        let runbook_id = definition.provision_runbook_id.ok_or_else(|| {
            JobError::Permanent(anyhow::anyhow!(
                "the definition {} has no provisioning runbook",
                definition.name
            ))
        })?;
        let continuation = json!({ "kind": PROVISION_ORDER, "payload": { "order_id": order_id } });
        let progress = crate::runbooks::order_run(
            state,
            order_id,
            RunPurpose::Provision,
            runbook_id,
            continuation,
        )
        .await?;
        if progress == Progress::Waiting {
            return Ok(());
        }
    }

    let now = state.clock.now();
    let actor = Actor::system(PROVISION_ORDER);
    let stamps = Stamps {
        activated_at: Some(now),
        expires_at: Some(expires_at(now, order.duration_days)),
        closed_at: None,
    };
    let note = if strategy == Strategy::Runbook || order.group_dns.is_empty() {
        "provisioned by its runbook".to_string()
    } else {
        format!("added to {}", order.group_dns.join("; "))
    };
    let mut tx = state.db.begin().await?;
    let moved = transition(
        &mut tx,
        order_id,
        Move {
            from: OrderState::Provisioning,
            to: OrderState::Active,
            actor: &actor,
            note: Some(&note),
            stamps,
        },
        now,
    )
    .await?;
    if moved {
        let job = NewJob::new(
            Queue::Notifications,
            MAIL_ORDER_UPDATE,
            json!({ "order_id": order_id, "update": Update::Activated }),
        );
        queue::enqueue(&mut tx, job, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
