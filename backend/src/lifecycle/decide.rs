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
use shared::orders::{
    ApprovalLinkView, ApprovalPurpose, ApprovalState, Decision, DecisionOutcome, OrderState,
};

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
        purpose: approval.purpose(),
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
    let note = match link.decision {
        Decision::Approve => "approved by e-mail link",
        Decision::Decline => "declined by e-mail link",
    };
    apply(
        state,
        &approval,
        link.decision,
        &actor,
        note,
        &approval.approver_email,
    )
    .await
}

/// The identity of an admin deciding in the admin SPA, for the self-approval rule.
pub struct AdminDecider<'a> {
    pub actor: &'a Actor,
    pub username: &'a str,
    pub email: Option<&'a str>,
}

/// Decides the pending approval of an order as an admin holding `orders_decide`.
pub async fn decide_as_admin(
    state: &AppState,
    order_id: uuid::Uuid,
    decision: Decision,
    decider: AdminDecider<'_>,
) -> ApiResult<DecisionOutcome> {
    let approval = store::approvals::for_order(&state.db, order_id)
        .await?
        .into_iter()
        .find(|a| a.state() == ApprovalState::Pending)
        .ok_or_else(|| already_decided_or_none(order_id))?;
    let forbid = crate::security::current(state)
        .await?
        .separation_of_duties
        .forbid_self_approval;
    let identity = match decider.email {
        Some(email) => email,
        None if forbid => {
            return Err(ApiError::Forbidden(format!(
                "Separation of duties needs to know who decides: set a mail address on the account {} first.",
                decider.username
            )));
        }
        None => "",
    };
    let note = match decision {
        Decision::Approve => format!("approved by {} in the admin app", decider.username),
        Decision::Decline => format!("declined by {} in the admin app", decider.username),
    };
    apply(state, &approval, decision, decider.actor, &note, identity).await
}

fn already_decided_or_none(order_id: uuid::Uuid) -> ApiError {
    ApiError::conflict(format!(
        "The order {order_id} has no pending approval; it may have been decided already."
    ))
}

/// Refuses a decision by the order's requester, or by the deputy who placed it for them, when
/// the self-approval rule is on.
async fn check_not_requester(
    state: &AppState,
    order: &store::orders::OrderRow,
    decider_email: &str,
) -> ApiResult<()> {
    let rules = crate::security::current(state).await?;
    if !rules.separation_of_duties.forbid_self_approval || decider_email.is_empty() {
        return Ok(());
    }
    if decider_email.eq_ignore_ascii_case(&order.requester_email) {
        return Err(ApiError::Forbidden(
            "Separation of duties: the requester of an order cannot decide it. Another approver must decide it."
                .into(),
        ));
    }
    if order
        .placed_by_email
        .as_deref()
        .is_some_and(|deputy| decider_email.eq_ignore_ascii_case(deputy))
    {
        return Err(ApiError::Forbidden(
            "Separation of duties: the deputy who placed an order for someone else cannot decide it. Another approver must decide it."
                .into(),
        ));
    }
    Ok(())
}

/// Records a decision on a pending approval and moves the order on, in one transaction.
async fn apply(
    state: &AppState,
    approval: &ApprovalRow,
    decision: Decision,
    actor: &Actor,
    note: &str,
    decider_email: &str,
) -> ApiResult<DecisionOutcome> {
    let order_id = approval.order_id;
    let order = store::orders::find(&state.db, order_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("approval {} has no order", approval.id))?;
    check_not_requester(state, &order, decider_email).await?;
    let now = state.clock.now();

    let mut tx = state.db.begin().await?;
    // The conditional update takes the approval's row lock; of two racing decisions the
    // second finds it no longer pending and changes nothing.
    if !store::approvals::decide(&mut tx, approval.id, decision, actor.as_str(), now).await? {
        tx.rollback().await?;
        return Err(already_decided(
            super::current_state(&state.db, order_id).await,
        ));
    }
    let change = Change {
        action: "approval.decide",
        entity_type: "approval",
        entity_id: approval.id.to_string(),
        before: Some(json!({ "state": "pending", "approver": approval.approver_email })),
        after: Some(json!({ "state": match decision {
            Decision::Approve => "approved",
            Decision::Decline => "declined",
        }, "order_id": order_id })),
    };
    store::audit::record(&mut tx, actor, now, change).await?;

    if approval.purpose() == ApprovalPurpose::Change {
        if !super::change::decided(&mut tx, order_id, decision, actor, now).await? {
            tx.rollback().await?;
            return Err(already_decided(
                super::current_state(&state.db, order_id).await,
            ));
        }
        tx.commit().await?;
        tracing::info!(order_id = %order_id, approval_id = %approval.id, decision = decision.as_str(), "change decided");
        return Ok(DecisionOutcome {
            decision,
            order_state: OrderState::Active,
        });
    }

    let (to, stamps) = match decision {
        Decision::Approve => (OrderState::Approved, Stamps::default()),
        Decision::Decline => (
            OrderState::Rejected,
            Stamps {
                closed_at: Some(now),
                ..Stamps::default()
            },
        ),
    };
    if !transition(
        &mut tx,
        order_id,
        Move {
            from: OrderState::PendingApproval,
            to,
            actor,
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

    match decision {
        Decision::Approve => {
            super::provision::start_or_schedule(&mut tx, order_id, actor, now).await?
        }
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

    tracing::info!(order_id = %order_id, approval_id = %approval.id, decision = decision.as_str(), "approval decided");
    let order_state = match decision {
        Decision::Approve => OrderState::Provisioning,
        Decision::Decline => OrderState::Rejected,
    };
    Ok(DecisionOutcome {
        decision,
        order_state,
    })
}
