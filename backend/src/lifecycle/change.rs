//! Extending an active order and changing its attributes. Without approval the change applies
//! at once. With approval the order waits in `modification_pending`, with the change stored on
//! it, until the approvers its definition's policy names decide, and it keeps its access
//! meanwhile.

use super::place::Whose;
use super::routing::{self, GroupPlan, OrderFacts, Router, Subject};
use super::stages;
use super::transition;
use crate::auth::portal::PortalUser;
use crate::error::{ApiError, ApiResult};
use crate::jobs::handlers::MAIL_ORDER_UPDATE;
use crate::jobs::{NewJob, Queue, queue};
use crate::notifications::Update;
use crate::state::AppState;
use crate::store::definitions::DefinitionRow;
use crate::store::orders::{Move, OrderRow, Stamps};
use crate::store::{self, Tx, audit::Change};
use chrono::{DateTime, Utc};
use serde_json::json;
use shared::orders::{ApprovalPurpose, Decision, Order, OrderState, PendingChange};
use uuid::Uuid;

async fn own_active_order(
    state: &AppState,
    user: &PortalUser,
    order_id: Uuid,
) -> ApiResult<(OrderRow, DefinitionRow)> {
    let order = store::orders::find(&state.db, order_id)
        .await?
        .filter(|o| o.concerns(user.user.id))
        .ok_or_else(|| ApiError::NotFound(format!("You have no order with the id {order_id}.")))?;
    if order.state() != OrderState::Active {
        return Err(ApiError::Conflict {
            detail: format!(
                "Only active access can be extended or changed; this order is {}.",
                order.state().label().to_lowercase()
            ),
            current_state: Some(order.state().as_str().to_string()),
        });
    }
    let definition = store::definitions::find(&state.db, order.definition_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order {order_id} has no definition"))?;
    Ok((order, definition))
}

/// Extends an active order by `days`, within the definition's extension rules.
pub async fn extend(
    state: &AppState,
    user: &PortalUser,
    order_id: Uuid,
    days: i32,
) -> ApiResult<Order> {
    let (order, definition) = own_active_order(state, user, order_id).await?;
    let rules = definition.dto().extension;
    if !rules.allowed {
        return Err(ApiError::conflict(format!(
            "{} cannot be extended; order it again when it ends.",
            definition.name
        )));
    }
    if !(1..=rules.max_days).contains(&days) {
        return Err(ApiError::field(
            "days",
            format!("must be between 1 and {} days", rules.max_days),
        ));
    }
    if order.extension_count >= rules.max_count {
        return Err(ApiError::conflict(format!(
            "This order was already extended {} times, the maximum {} allows.",
            order.extension_count, definition.name
        )));
    }
    let change = PendingChange::Extend { days };
    request_or_apply(
        state,
        user,
        &order,
        &definition,
        change,
        rules.requires_approval,
    )
    .await
}

/// Replaces the attribute values of an active order, checked like those of a new order.
pub async fn modify(
    state: &AppState,
    user: &PortalUser,
    order_id: Uuid,
    attributes: serde_json::Map<String, serde_json::Value>,
) -> ApiResult<Order> {
    let (order, definition) = own_active_order(state, user, order_id).await?;
    let item = definition.catalog_item();
    ApiError::check(shared::validation::order_attributes(
        &attributes,
        &item.attributes,
    ))?;
    let directory = super::place::directory(state).await?;
    let resolved = super::place::resolve_attributes(&directory, &item, attributes).await?;
    let change = PendingChange::Modify {
        attributes: resolved,
    };
    let needs_approval = definition.modification_requires_approval;
    request_or_apply(state, user, &order, &definition, change, needs_approval).await
}

fn describe(change: &PendingChange) -> String {
    match change {
        PendingChange::Extend { days } => format!("extension by {days} days"),
        PendingChange::Modify { .. } => "change of the order's details".to_string(),
    }
}

/// Works out who approves a change with the definition's policy, applied to the order as the
/// change would leave it. Returns no groups when no approval is needed.
async fn change_groups<'a>(
    state: &'a AppState,
    user: &PortalUser,
    order: &OrderRow,
    definition: &DefinitionRow,
    change: &PendingChange,
) -> ApiResult<(Router<'a>, Vec<GroupPlan>)> {
    let router = Router::new(state).await?;
    let requester = router
        .directory
        .person_by_dn(&order.requester_dn)
        .await
        .map_err(super::place::directory_error)?;
    let whose = if order.requester_id == user.user.id {
        Whose::Own
    } else {
        Whose::Of(&order.requester_name)
    };
    let item = definition.catalog_item();
    let policy = definition.approval();
    let (duration_days, values) = match change {
        PendingChange::Extend { days } => (order.duration_days + days, order.attributes.0.clone()),
        PendingChange::Modify { attributes } => (order.duration_days, attributes.clone()),
    };
    let facts = router
        .facts(&OrderFacts {
            attributes_defined: &item.attributes,
            values: &values,
            duration_days,
            monthly_cost: item.monthly_cost.as_ref(),
            on_behalf: order.requester_id != user.user.id,
            department_dn: routing::tests_department(&policy).then_some(&requester.dn),
        })
        .await?;
    let mut groups = router
        .plan(&policy, &facts, &requester, whose, &definition.name)
        .await?;
    if groups.is_empty() {
        // The definition requires approval of changes but its policy names no approver for
        // this order, so the requester's manager decides.
        let manager = shared::approvals::ApprovalPolicy::manager_only();
        groups = router
            .plan(&manager, &facts, &requester, whose, &definition.name)
            .await?;
    }
    let subject = Subject {
        requester: order.dto().requester,
        deputy: (order.requester_id != user.user.id).then(|| user.user.person()),
    };
    let routed = router.preview(&groups, &subject, state.clock.now()).await?;
    if let Some(problem) = routed.iter().find_map(|g| g.problem.clone()) {
        return Err(ApiError::conflict(problem));
    }
    Ok((router, groups))
}

async fn request_or_apply(
    state: &AppState,
    user: &PortalUser,
    order: &OrderRow,
    definition: &DefinitionRow,
    change: PendingChange,
    needs_approval: bool,
) -> ApiResult<Order> {
    let approval = if needs_approval {
        Some(change_groups(state, user, order, definition, &change).await?)
            .filter(|(_, groups)| !groups.is_empty())
    } else {
        None
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let record = Change {
        action: "order.change_request",
        entity_type: "order",
        entity_id: order.id.to_string(),
        before: Some(json!({ "expires_at": order.expires_at, "attributes": order.attributes.0 })),
        after: Some(serde_json::to_value(&change).map_err(anyhow::Error::from)?),
    };
    store::audit::record(&mut tx, &user.actor, now, record).await?;
    store::orders::set_change_asker(&mut tx, order.id, &user.user.person()).await?;
    match approval {
        None => {
            // Locks the row and checks it is still active before changing it.
            let locked = store::orders::find_for_update_in(&mut tx, order.id)
                .await?
                .filter(|o| o.state() == OrderState::Active);
            if locked.is_none() {
                tx.rollback().await?;
                return Err(ApiError::conflict(
                    "The order changed meanwhile; reload it.",
                ));
            }
            store::orders::apply_change(&mut tx, order.id, &change, now).await?;
            let note = format!("{} applied", describe(&change));
            store::orders::note_event(
                &mut tx,
                order.id,
                OrderState::Active,
                &user.actor,
                &note,
                now,
            )
            .await?;
        }
        Some((router, groups)) => {
            let moved = transition(
                &mut tx,
                order.id,
                Move {
                    from: OrderState::Active,
                    to: OrderState::ModificationPending,
                    actor: &user.actor,
                    note: Some(&format!("{} waiting for approval", describe(&change))),
                    stamps: Stamps::default(),
                },
                now,
            )
            .await?;
            if !moved {
                tx.rollback().await?;
                return Err(ApiError::conflict(
                    "The order changed meanwhile; reload it.",
                ));
            }
            store::orders::set_pending_change(&mut tx, order.id, Some(&change)).await?;
            let row = store::orders::find_for_update_in(&mut tx, order.id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("order {} vanished in its transaction", order.id))?;
            let asked = stages::start(
                &mut tx,
                &router,
                &row,
                ApprovalPurpose::Change,
                &groups,
                &user.actor,
                now,
            )
            .await?;
            tracing::info!(order_id = %order.id, asked = asked.len(), "change waits for approval");
        }
    }
    tx.commit().await?;
    let order = store::orders::find(&state.db, order.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order {} vanished after commit", order.id))?;
    Ok(order.dto())
}

/// Carries out a decided change approval: applies the change when approved, and returns the
/// order to active either way. Returns false, changing nothing, when the order no longer waits.
pub async fn decided(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    decision: Decision,
    actor: &crate::auth::Actor,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let Some(order) = store::orders::find_for_update_in(tx, order_id).await? else {
        return Ok(false);
    };
    let Some(change) = order.pending_change.as_ref().map(|c| c.0.clone()) else {
        return Ok(false);
    };
    let note = match decision {
        Decision::Approve => format!("{} approved", describe(&change)),
        Decision::Decline => format!("{} declined", describe(&change)),
    };
    let moved = transition(
        tx,
        order_id,
        Move {
            from: OrderState::ModificationPending,
            to: OrderState::Active,
            actor,
            note: Some(&note),
            stamps: Stamps::default(),
        },
        now,
    )
    .await?;
    if !moved {
        return Ok(false);
    }
    if decision == Decision::Approve {
        store::orders::apply_change(tx, order_id, &change, now).await?;
    }
    store::orders::set_pending_change(tx, order_id, None).await?;
    let update = match decision {
        Decision::Approve => Update::ChangeApproved,
        Decision::Decline => Update::ChangeDeclined,
    };
    let payload = json!({ "order_id": order_id, "update": update });
    queue::enqueue(
        tx,
        NewJob::new(Queue::Notifications, MAIL_ORDER_UPDATE, payload),
        now,
    )
    .await?;
    Ok(true)
}
