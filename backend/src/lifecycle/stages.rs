//! Approval groups in stages. Placing an order creates all its groups and requests the first
//! stage. A group is satisfied when its quorum of distinct approvers approved, and its other
//! approvals are superseded at once. When every group of a stage is satisfied, the next stage
//! is requested, and when none is left the order (or change) is approved. Any decline rejects
//! it.

use super::routing::{GroupPlan, Router, Subject};
use super::transition;
use crate::auth::Actor;
use crate::error::ApiResult;
use crate::jobs::handlers::MAIL_ORDER_UPDATE;
use crate::jobs::{NewJob, Queue, queue};
use crate::notifications::{self, Ask, Update};
use crate::state::AppState;
use crate::store::approval_groups::{GroupRow, NewGroup};
use crate::store::approvals::NewApproval;
use crate::store::orders::{Move, OrderRow, Stamps};
use crate::store::{self, Tx, audit::Change};
use chrono::{DateTime, Utc};
use serde_json::json;
use shared::approvals::GroupState;
use shared::orders::{ApprovalPurpose, Decision, OrderState, Person};
use uuid::Uuid;

/// Whom an order's approvals must not go to: the requester, and the deputy who placed the
/// order or asked for the change.
pub fn subject_of(order: &OrderRow, purpose: ApprovalPurpose) -> Subject {
    let requester = Person {
        display_name: order.requester_name.clone(),
        email: order.requester_email.clone(),
        directory_dn: order.requester_dn.clone(),
    };
    let deputy = match purpose {
        ApprovalPurpose::Order => order.deputy(),
        ApprovalPurpose::Change => order.change_asked_by_deputy().map(|name| Person {
            display_name: name.to_string(),
            email: order.change_asked_by_email.clone().unwrap_or_default(),
            directory_dn: String::new(),
        }),
    };
    Subject { requester, deputy }
}

/// The outcome of opening the next stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// No stage is left: every group is decided.
    NoneLeft,
    /// The approvers of the next stage were asked; their names.
    Asked(Vec<String>),
    /// A group of the next stage cannot reach its quorum; nothing was asked.
    Unmet(String),
}

/// Creates the groups of a plan and asks the approvers of the first stage. Returns the names
/// of the people asked, or a conflict when a group cannot reach its quorum.
pub async fn start(
    tx: &mut Tx<'_>,
    router: &Router<'_>,
    order: &OrderRow,
    purpose: ApprovalPurpose,
    groups: &[GroupPlan],
    actor: &Actor,
    now: DateTime<Utc>,
) -> ApiResult<Vec<String>> {
    for group in groups {
        store::approval_groups::insert(
            tx,
            &NewGroup {
                order_id: order.id,
                purpose,
                source: group.source,
                name: &group.name,
                reason: &group.reason,
                quorum: group.quorum,
                stage: group.stage,
                members: &group.members,
            },
            now,
        )
        .await?;
    }
    match open_next_stage(tx, router, order, purpose, actor, now).await? {
        Opened::Asked(names) => Ok(names),
        Opened::NoneLeft => Ok(Vec::new()),
        Opened::Unmet(problem) => Err(crate::error::ApiError::conflict(problem)),
    }
}

/// Asks the approvers of the lowest stage still waiting. Members are checked again against the
/// directory and the delegations of this moment, so a leaver since the order was placed is not
/// asked. When a group of the stage cannot reach its quorum nothing is asked, and the caller
/// must not approve the order.
pub async fn open_next_stage(
    tx: &mut Tx<'_>,
    router: &Router<'_>,
    order: &OrderRow,
    purpose: ApprovalPurpose,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ApiResult<Opened> {
    let open = store::approval_groups::open_for_order(tx, order.id, purpose).await?;
    let Some(stage) = open
        .iter()
        .filter(|g| g.state() == GroupState::Waiting)
        .map(|g| g.stage)
        .min()
    else {
        return Ok(Opened::NoneLeft);
    };
    let subject = subject_of(order, purpose);
    let mut routed_groups = Vec::new();
    for group in open.iter().filter(|g| g.stage == stage) {
        let routed = router.route(tx, &group.members.0, &subject, now).await?;
        let quorum = u32::try_from(group.quorum).unwrap_or(1);
        if let Some(problem) = super::routing::quorum_problem(
            &group.name,
            quorum,
            routed.approvers.len(),
            &routed.dropped,
        ) {
            tracing::warn!(order_id = %order.id, group = %group.name, %problem, "approval group cannot reach its quorum");
            return Ok(Opened::Unmet(problem));
        }
        routed_groups.push((group, routed));
    }
    let mut asked: Vec<String> = Vec::new();
    for (group, routed) in routed_groups {
        store::approval_groups::set_state(
            tx,
            group.id,
            GroupState::Waiting,
            GroupState::Pending,
            now,
        )
        .await?;
        for planned in &routed.approvers {
            ask(
                tx,
                order.id,
                group,
                purpose,
                &planned.approver,
                planned.instead_of.as_ref(),
                planned.note.as_deref(),
                actor,
                now,
            )
            .await?;
            if !asked.contains(&planned.approver.display_name) {
                asked.push(planned.approver.display_name.clone());
            }
        }
    }
    if stage > 1 {
        let note = format!("stage {stage}: waiting for {}", asked.join(", "));
        store::orders::note_event(tx, order.id, order_state_for(purpose), actor, &note, now)
            .await?;
    }
    Ok(Opened::Asked(asked))
}

fn order_state_for(purpose: ApprovalPurpose) -> OrderState {
    match purpose {
        ApprovalPurpose::Order => OrderState::PendingApproval,
        ApprovalPurpose::Change => OrderState::ModificationPending,
    }
}

/// Creates one approval in a group, records it and enqueues the request to the approver.
#[allow(clippy::too_many_arguments)]
pub async fn ask(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    group: &GroupRow,
    purpose: ApprovalPurpose,
    approver: &Person,
    instead_of: Option<&Person>,
    note: Option<&str>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ApiResult<Uuid> {
    let approval_id = store::approvals::insert(
        tx,
        &NewApproval {
            order_id,
            group_id: Some(group.id),
            purpose,
            approver,
            instead_of,
            note,
        },
        now,
    )
    .await?;
    let change = Change {
        action: "approval.create",
        entity_type: "approval",
        entity_id: approval_id.to_string(),
        before: None,
        after: Some(json!({
            "order_id": order_id,
            "group": group.name,
            "stage": group.stage,
            "quorum": group.quorum,
            "reason": group.reason,
            "approver_email": approver.email,
            "approver_dn": approver.directory_dn,
            "instead_of": instead_of.map(|p| &p.email),
            "note": note,
        })),
    };
    store::audit::record(tx, actor, now, change).await?;
    notifications::ask_approver(tx, approval_id, Ask::Request, now).await?;
    Ok(approval_id)
}

/// The state of an order's approval after a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// More approvals are needed.
    Waiting,
    Approved,
    Declined,
    /// The order was no longer waiting for this decision.
    Stale,
}

/// Moves the order on after approvals in `group_ids` were decided with `decision`, in the
/// transaction that recorded the decision. The caller holds the order's row lock, and passes
/// a router when a later stage may start, so no second pool connection is taken meanwhile.
#[allow(clippy::too_many_arguments)]
pub async fn settle(
    tx: &mut Tx<'_>,
    state: &AppState,
    router: Option<&Router<'_>>,
    order: &OrderRow,
    purpose: ApprovalPurpose,
    decision: Decision,
    group_ids: &[Uuid],
    actor: &Actor,
    note: &str,
    now: DateTime<Utc>,
) -> ApiResult<Settled> {
    if decision == Decision::Decline {
        for id in group_ids {
            store::approval_groups::set_state(
                tx,
                *id,
                GroupState::Pending,
                GroupState::Declined,
                now,
            )
            .await?;
        }
        let by = format!("veto: {note}");
        store::approvals::supersede_pending(tx, order.id, &by, now).await?;
        return finish(tx, order, purpose, decision, actor, note, now).await;
    }

    for id in group_ids {
        let Some(group) = store::approval_groups::find_in(tx, *id).await? else {
            continue;
        };
        if group.state() != GroupState::Pending {
            continue;
        }
        let approved = store::approvals::approved_in_group(tx, group.id).await?;
        if approved >= i64::from(group.quorum) {
            store::approval_groups::set_state(
                tx,
                group.id,
                GroupState::Pending,
                GroupState::Satisfied,
                now,
            )
            .await?;
            let by = format!("system:quorum_reached:{}", group.name);
            store::approvals::supersede_in_group(tx, group.id, &by, now).await?;
        }
    }
    let open = store::approval_groups::open_for_order(tx, order.id, purpose).await?;
    if open.iter().any(|g| g.state() == GroupState::Pending) {
        return Ok(Settled::Waiting);
    }
    if !open.is_empty() {
        let owned;
        let router = match router {
            Some(router) => router,
            None => {
                owned = Router::new(state).await?;
                &owned
            }
        };
        match open_next_stage(tx, router, order, purpose, actor, now).await? {
            Opened::Asked(_) => return Ok(Settled::Waiting),
            Opened::NoneLeft => {}
            Opened::Unmet(problem) => {
                // A stage without approvers must never let the order through. It is declined with
                // the reason, so the requester can have it fixed and order again.
                let system = Actor::system("routing");
                let reason =
                    format!("declined because the next stage cannot be approved: {problem}");
                store::approvals::supersede_pending(tx, order.id, system.as_str(), now).await?;
                return finish(tx, order, purpose, Decision::Decline, &system, &reason, now).await;
            }
        }
    }
    finish(tx, order, purpose, decision, actor, note, now).await
}

/// Approves or rejects the order, or applies or drops the change, once the groups decided.
async fn finish(
    tx: &mut Tx<'_>,
    order: &OrderRow,
    purpose: ApprovalPurpose,
    decision: Decision,
    actor: &Actor,
    note: &str,
    now: DateTime<Utc>,
) -> ApiResult<Settled> {
    store::approval_groups::close_open(tx, order.id, purpose, now).await?;
    let settled = match decision {
        Decision::Approve => Settled::Approved,
        Decision::Decline => Settled::Declined,
    };
    if purpose == ApprovalPurpose::Change {
        // Pending approvals of the change are superseded once it is decided.
        store::approvals::supersede_pending(tx, order.id, "system:change_decided", now).await?;
        if !super::change::decided(tx, order.id, decision, actor, now).await? {
            return Ok(Settled::Stale);
        }
        return Ok(settled);
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
    let moved = transition(
        tx,
        order.id,
        Move {
            from: OrderState::PendingApproval,
            to,
            actor,
            note: Some(note),
            stamps,
        },
        now,
    )
    .await?;
    if !moved {
        return Ok(Settled::Stale);
    }
    store::approvals::supersede_pending(tx, order.id, "system:order_decided", now).await?;
    match decision {
        Decision::Approve => super::provision::start_or_schedule(tx, order.id, actor, now).await?,
        Decision::Decline => {
            let payload = json!({ "order_id": order.id, "update": Update::Rejected });
            queue::enqueue(
                tx,
                NewJob::new(Queue::Notifications, MAIL_ORDER_UPDATE, payload),
                now,
            )
            .await?;
        }
    }
    Ok(settled)
}
