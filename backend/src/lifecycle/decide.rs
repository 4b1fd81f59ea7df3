//! Deciding an approval through a signed link. Opening the link only shows the request; the
//! decision takes a POST, because mail scanners fetch links before people do.

use super::transition;
use crate::auth::Actor;
use crate::auth::links::{ApprovalLink, LinkError};
use crate::error::{ApiError, ApiResult};
use crate::jobs::handlers::MAIL_ORDER_UPDATE;
use crate::jobs::{NewJob, Queue, queue};
use crate::notifications::Update;
use crate::state::AppState;
use crate::store::approvals::ApprovalRow;
use crate::store::orders::Move;
use crate::store::orders::Stamps;
use crate::store::{self, audit::Change};
use serde_json::json;
use shared::orders::{ApprovalLinkView, ApprovalState, Decision, DecisionOutcome, OrderState};

/// Verifies a link and loads the approval it names; the approver must still be the one the
/// link was made for.
async fn resolve(state: &AppState, token: &str) -> ApiResult<(ApprovalLink, ApprovalRow)> {
    let link =
        ApprovalLink::verify(&state.keys, token, state.clock.now()).map_err(|e| match e {
            LinkError::Invalid => ApiError::NotFound(
                "This approval link is not valid. Open the link from the e-mail exactly as sent."
                    .into(),
            ),
            LinkError::Expired(at) => ApiError::Gone(format!(
                "This approval link expired on {}. The requester can cancel the order and place it again.",
                at.format("%Y-%m-%d %H:%M UTC")
            )),
        })?;
    let approval = store::approvals::find(&state.db, link.approval_id)
        .await?
        .filter(|a| a.approver_email.eq_ignore_ascii_case(&link.approver_email))
        .ok_or_else(|| ApiError::NotFound("This approval link names no pending request.".into()))?;
    Ok((link, approval))
}

pub async fn view(state: &AppState, token: &str) -> ApiResult<ApprovalLinkView> {
    let (link, approval) = resolve(state, token).await?;
    let order = store::orders::find(&state.db, approval.order_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("approval {} has no order", approval.id))?;
    Ok(ApprovalLinkView {
        decision: link.decision,
        approver: approval.approver(),
        order: order.dto(),
        link_expires_at: link.expires_at(),
        open: approval.state() == ApprovalState::Pending,
        approval_state: approval.state(),
    })
}

fn already_decided(order_state: Option<String>) -> ApiError {
    let label = order_state
        .as_deref()
        .and_then(OrderState::parse)
        .map_or("closed", OrderState::label);
    ApiError::Conflict {
        detail: format!(
            "This request was already decided; the order is now {}.",
            label.to_lowercase()
        ),
        current_state: order_state,
    }
}

pub async fn decide(state: &AppState, token: &str) -> ApiResult<DecisionOutcome> {
    let (link, approval) = resolve(state, token).await?;
    let actor = Actor::approval_link(&approval.approver_email);
    let order_id = approval.order_id;
    let now = state.clock.now();

    let mut tx = state.db.begin().await?;
    // The conditional update takes the approval's row lock; of two racing decisions the
    // second finds it no longer pending and changes nothing.
    if !store::approvals::decide(&mut tx, approval.id, link.decision, actor.as_str(), now).await? {
        tx.rollback().await?;
        return Err(already_decided(
            super::current_state(&state.db, order_id).await,
        ));
    }
    let change = Change {
        action: "approval.decide",
        entity_type: "approval",
        entity_id: approval.id.to_string(),
        before: Some(json!({ "state": "pending" })),
        after: Some(json!({ "state": match link.decision {
            Decision::Approve => "approved",
            Decision::Decline => "declined",
        }, "order_id": order_id })),
    };
    store::audit::record(&mut tx, &actor, now, change).await?;

    let (to, stamps, note) = match link.decision {
        Decision::Approve => (
            OrderState::Approved,
            Stamps::default(),
            "approved by e-mail link",
        ),
        Decision::Decline => (
            OrderState::Rejected,
            Stamps {
                closed_at: Some(now),
                ..Stamps::default()
            },
            "declined by e-mail link",
        ),
    };
    if !transition(
        &mut tx,
        order_id,
        Move {
            from: OrderState::PendingApproval,
            to,
            actor: &actor,
            note: Some(note),
            stamps,
        },
        now,
    )
    .await?
    {
        tx.rollback().await?;
        return Err(already_decided(
            super::current_state(&state.db, order_id).await,
        ));
    }

    match link.decision {
        Decision::Approve => super::provision::start(&mut tx, order_id, &actor, now).await?,
        Decision::Decline => {
            let payload = json!({ "order_id": order_id, "update": Update::Rejected });
            queue::enqueue(
                &mut tx,
                NewJob::new(Queue::Notifications, MAIL_ORDER_UPDATE, payload),
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;

    tracing::info!(order_id = %order_id, approval_id = %approval.id, decision = link.decision.as_str(), "approval decided");
    let order_state = match link.decision {
        Decision::Approve => OrderState::Provisioning,
        Decision::Decline => OrderState::Rejected,
    };
    Ok(DecisionOutcome {
        decision: link.decision,
        order_state,
    })
}
