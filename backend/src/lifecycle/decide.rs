//! Deciding an approval through a signed link. Opening the link only shows the request; the
//! decision takes a POST, because mail scanners fetch links before people do.

use super::stages::{self, Settled};
use crate::auth::Actor;
use crate::auth::links::{ApprovalLink, LinkError};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::approvals::ApprovalRow;
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
    if approval.state() == ApprovalState::Pending {
        check_still_active(state, &approval.approver_email).await?;
    }
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
        None,
    )
    .await
}

/// The identity of an admin deciding in the admin SPA, for the self-approval rule.
pub struct AdminDecider<'a> {
    pub actor: &'a Actor,
    pub username: &'a str,
    pub email: Option<&'a str>,
}

/// Decides a pending approval of an order as an admin holding `orders_decide`: the one named,
/// or the order's first pending one.
pub async fn decide_as_admin(
    state: &AppState,
    order_id: uuid::Uuid,
    input: &shared::orders::AdminDecision,
    decider: AdminDecider<'_>,
) -> ApiResult<DecisionOutcome> {
    let decision = input.decision;
    let approval = store::approvals::for_order(&state.db, order_id)
        .await?
        .into_iter()
        .filter(|a| a.state() == ApprovalState::Pending)
        .find(|a| input.approval_id.is_none_or(|id| id == a.id))
        .ok_or_else(|| match input.approval_id {
            Some(id) => ApiError::Conflict {
                detail: format!(
                    "The approval {id} is not pending on this order; it was decided already or \
                     belongs to another order. Reload the order."
                ),
                current_state: None,
            },
            None => already_decided_or_none(order_id),
        })?;
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
    apply(
        state,
        &approval,
        decision,
        decider.actor,
        &note,
        identity,
        input.comment.as_deref(),
    )
    .await
}

/// Decides an approval from the portal inbox. Only the approver it is addressed to may decide.
pub async fn decide_in_portal(
    state: &AppState,
    user: &crate::auth::portal::PortalUser,
    approval_id: uuid::Uuid,
    input: &shared::approvals::InboxDecision,
) -> ApiResult<DecisionOutcome> {
    let approval = store::approvals::find(&state.db, approval_id)
        .await?
        .filter(|a| is_addressed_to(a, &user.user.person()))
        .ok_or_else(|| ApiError::NotFound("You have no approval with this id.".into()))?;
    if approval.state() != ApprovalState::Pending {
        return Err(already_decided(
            super::current_state(&state.db, approval.order_id).await,
        ));
    }
    check_still_active(state, &approval.approver_email).await?;
    let note = match input.decision {
        Decision::Approve => "approved in the portal",
        Decision::Decline => "declined in the portal",
    };
    let email = user.user.email.clone();
    apply(
        state,
        &approval,
        input.decision,
        &user.actor,
        note,
        &email,
        input.comment.as_deref(),
    )
    .await
}

/// Decides an approval as the system, such as a decline of an approval open too long.
pub async fn decide_as_system(
    state: &AppState,
    approval: &ApprovalRow,
    decision: Decision,
    actor: &Actor,
) -> ApiResult<DecisionOutcome> {
    let note = match decision {
        Decision::Approve => format!("approved by {actor}"),
        Decision::Decline => format!(
            "declined by {actor}: {} did not decide in time",
            approval.approver_name
        ),
    };
    apply(state, approval, decision, actor, &note, "", None).await
}

/// Refuses a decision by an approver whose directory account was disabled or removed after
/// they were asked.
async fn check_still_active(state: &AppState, email: &str) -> ApiResult<()> {
    use crate::integrations::directory::DirectoryError;
    let directory = super::place::directory(state).await?;
    match directory.find_account(email).await {
        Ok(person) if !person.disabled => Ok(()),
        Ok(_) | Err(DirectoryError::NotFound(_)) => Err(ApiError::Forbidden(format!(
            "The directory account of {email} is disabled or gone, so it can no longer decide \
             approvals. An administrator can decide the order instead."
        ))),
        Err(other) => Err(super::place::directory_error(other)),
    }
}

/// Returns whether an approval is addressed to this portal user, by mail address or entry.
pub fn is_addressed_to(approval: &ApprovalRow, person: &shared::orders::Person) -> bool {
    super::routing::same_person(&approval.approver(), person)
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

/// Records a decision on a pending approval and moves the order on, in one transaction. The
/// decider's other pending approvals of the same order (when they sit in several groups) take
/// the same decision.
async fn apply(
    state: &AppState,
    approval: &ApprovalRow,
    decision: Decision,
    actor: &Actor,
    note: &str,
    decider_email: &str,
    comment: Option<&str>,
) -> ApiResult<DecisionOutcome> {
    let order_id = approval.order_id;
    let order = store::orders::find(&state.db, order_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("approval {} has no order", approval.id))?;
    check_not_requester(state, &order, decider_email).await?;
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > 2000) {
        return Err(ApiError::field(
            "comment",
            "must be at most 2000 characters",
        ));
    }
    let now = state.clock.now();
    // A later stage routes its approvers with the directory and the settings, read before the
    // transaction takes its connection.
    let router = if store::approval_groups::has_waiting(&state.db, order_id).await? {
        Some(super::routing::Router::new(state).await?)
    } else {
        None
    };

    let mut tx = state.db.begin().await?;
    // Decisions on one order run one after the other, so two approvers completing a quorum, or
    // an approval racing a decline, settle in a single order.
    let Some(order) = store::orders::find_for_update_in(&mut tx, order_id).await? else {
        return Err(already_decided(None));
    };
    let purpose = approval.purpose();
    let mut decided = vec![approval.clone()];
    decided.extend(
        store::approvals::pending_for_order(&mut tx, order_id, purpose)
            .await?
            .into_iter()
            .filter(|a| {
                a.id != approval.id
                    && a.approver_email
                        .eq_ignore_ascii_case(&approval.approver_email)
            }),
    );
    if let Some(group) = approval.group_id
        && store::approvals::decided_in_group_by(&mut tx, group, actor.as_str(), approval.id)
            .await?
    {
        tx.rollback().await?;
        return Err(ApiError::conflict(
            "You already decided another approval of this group; each decision counts once \
             towards a quorum, so another approver must decide this one.",
        ));
    }
    let mut group_ids = Vec::new();
    for (i, row) in decided.iter().enumerate() {
        // The conditional update takes the approval's row lock; of two racing decisions the
        // second finds it no longer pending and changes nothing.
        let recorded =
            store::approvals::decide(&mut tx, row.id, decision, actor.as_str(), comment, now)
                .await?;
        if !recorded {
            if i == 0 {
                tx.rollback().await?;
                return Err(already_decided(
                    super::current_state(&state.db, order_id).await,
                ));
            }
            continue;
        }
        record_decision(&mut tx, row, decision, actor, comment, now).await?;
        if let Some(group) = row.group_id
            && !group_ids.contains(&group)
        {
            group_ids.push(group);
        }
    }

    let settled = stages::settle(
        &mut tx,
        state,
        router.as_ref(),
        &order,
        purpose,
        decision,
        &group_ids,
        actor,
        note,
        now,
    )
    .await?;
    if settled == Settled::Stale {
        tx.rollback().await?;
        return Err(already_decided(
            super::current_state(&state.db, order_id).await,
        ));
    }
    tx.commit().await?;

    tracing::info!(order_id = %order_id, approval_id = %approval.id, decision = decision.as_str(), ?settled, "approval decided");
    let order_state = match (purpose, settled) {
        (ApprovalPurpose::Change, Settled::Waiting) => OrderState::ModificationPending,
        (ApprovalPurpose::Change, _) => OrderState::Active,
        (ApprovalPurpose::Order, Settled::Waiting) => OrderState::PendingApproval,
        (ApprovalPurpose::Order, Settled::Declined) => OrderState::Rejected,
        (ApprovalPurpose::Order, _) => super::current_state(&state.db, order_id)
            .await
            .as_deref()
            .and_then(OrderState::parse)
            .unwrap_or(OrderState::Approved),
    };
    Ok(DecisionOutcome {
        decision,
        order_state,
    })
}

/// Writes the audit row of one recorded decision.
pub async fn record_decision(
    tx: &mut store::Tx<'_>,
    approval: &ApprovalRow,
    decision: Decision,
    actor: &Actor,
    comment: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<()> {
    let change = Change {
        action: "approval.decide",
        entity_type: "approval",
        entity_id: approval.id.to_string(),
        before: Some(json!({
            "state": "pending",
            "approver": approval.approver_email,
            "instead_of": approval.instead_of_email,
        })),
        after: Some(json!({
            "state": match decision {
                Decision::Approve => "approved",
                Decision::Decline => "declined",
            },
            "order_id": approval.order_id,
            "group_id": approval.group_id,
            "comment": comment,
        })),
    };
    store::audit::record(tx, actor, now, change).await
}
