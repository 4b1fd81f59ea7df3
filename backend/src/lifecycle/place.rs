//! Placing an order from the portal.

use super::routing::{self, OrderFacts, Router, Subject};
use super::stages;
use super::transition;
use crate::auth::Actor;
use crate::auth::portal::PortalUser;
use crate::error::{ApiError, ApiResult};
use crate::integrations::directory::{Directory, DirectoryError, DirectoryPerson};
use crate::jobs::handlers::MAIL_ORDER_UPDATE;
use crate::jobs::{NewJob, Queue, queue};
use crate::notifications::Update;
use crate::settings::{self, LdapConfig};
use crate::state::AppState;
use crate::store::orders::Move;
use crate::store::orders::{NewOrderRow, Stamps};
use crate::store::{self, audit::Change};
use serde_json::json;
use shared::catalog::AssignmentModel;
use shared::orders::{ApprovalPurpose, NewOrder, Order, OrderState, Person};

/// Loads the directory settings, or explains that an administrator must set them.
pub async fn directory(state: &AppState) -> ApiResult<Directory> {
    let config = settings::load_cached::<LdapConfig>(state)
        .await?
        .ok_or_else(|| {
            ApiError::Unavailable(
                "The directory (LDAP) is not configured yet; an administrator sets it up under \
             Settings."
                    .into(),
            )
        })?;
    Ok(Directory::pooled(config, state.directory.clone()))
}

/// Maps a directory failure during a request to an API error.
pub fn directory_error(error: DirectoryError) -> ApiError {
    match error {
        DirectoryError::NotFound(detail) | DirectoryError::Ambiguous(detail) => {
            ApiError::conflict(format!("{detail}."))
        }
        other => ApiError::Unavailable(format!("The directory cannot be reached: {other}.")),
    }
}

/// Whose directory entry a message about the approver talks of: the reader's own, or that of
/// the person a deputy orders for.
#[derive(Debug, Clone, Copy)]
pub enum Whose<'a> {
    Own,
    Of(&'a str),
}

impl Whose<'_> {
    fn entry(self) -> String {
        match self {
            Whose::Own => "Your directory entry".into(),
            Whose::Of(name) => format!("The directory entry of {name}"),
        }
    }

    fn manager(self) -> String {
        match self {
            Whose::Own => "Your manager".into(),
            Whose::Of(name) => format!("The manager of {name}"),
        }
    }
}

/// Looks up who approves an order for `requester`: their manager in the directory.
pub(super) async fn manager_of(
    directory: &Directory,
    requester: &DirectoryPerson,
    whose: Whose<'_>,
) -> ApiResult<Person> {
    let requester_dn = requester.dn.as_str();
    let manager_dn = requester.manager_dn.clone().ok_or_else(|| {
        ApiError::conflict(format!(
            "{} names no manager, so nobody can approve this order. Ask IT to set the manager \
             in the directory.",
            whose.entry()
        ))
    })?;
    if manager_dn.eq_ignore_ascii_case(requester_dn) {
        return Err(ApiError::conflict(format!(
            "{} names the same person as manager; nobody may approve their own order. Ask IT \
             to correct the manager.",
            whose.entry()
        )));
    }
    let manager = directory
        .person_by_dn(&manager_dn)
        .await
        .map_err(directory_error)?;
    if manager.disabled {
        return Err(ApiError::conflict(format!(
            "{}'s directory account ({}) is disabled, so nobody can approve this order. Ask \
             IT to update the manager.",
            whose.manager(),
            manager.display_name
        )));
    }
    let email = manager.email.clone().ok_or_else(|| {
        ApiError::conflict(format!(
            "{} ({}) has no e-mail address in the directory, so the approval request cannot \
             be sent. Ask IT to add it.",
            whose.manager(),
            manager.display_name
        ))
    })?;
    Ok(Person {
        display_name: manager.display_name,
        email,
        directory_dn: manager.dn,
    })
}

/// Finds the person a deputy orders for. Returns `None` when the account is the deputy's own.
async fn deputy_target(
    directory: &Directory,
    account: &str,
    placer: &DirectoryPerson,
) -> ApiResult<Option<DirectoryPerson>> {
    let field = |message: String| ApiError::field("on_behalf_of", message);
    let person = match directory.find_account(account).await {
        Ok(person) => person,
        Err(DirectoryError::NotFound(_)) => {
            return Err(field(format!(
                "nobody in the directory has the account name or mail address {account}; \
                 check the spelling or use the mail address"
            )));
        }
        Err(DirectoryError::Ambiguous(_)) => {
            return Err(field(format!(
                "several people in the directory match {account}; use their account name, \
                 or ask IT to make the mail address unique"
            )));
        }
        Err(other) => return Err(directory_error(other)),
    };
    if person.dn.eq_ignore_ascii_case(&placer.dn) {
        return Ok(None);
    }
    if person.disabled {
        return Err(field(format!(
            "{} is disabled in the directory; orders can be placed only for active accounts",
            person.display_name
        )));
    }
    if person.email.is_none() {
        return Err(field(format!(
            "{} has no e-mail address in the directory, so they could not be told about the \
             order; ask IT to add it",
            person.display_name
        )));
    }
    Ok(Some(person))
}

pub async fn place(
    state: &AppState,
    user: &PortalUser,
    input: NewOrder,
    idempotency_key: Option<String>,
) -> ApiResult<Order> {
    if let Some(key) = &idempotency_key
        && let Some(existing) =
            store::orders::find_by_idempotency_key(&state.db, user.user.id, key).await?
    {
        return Ok(existing.dto());
    }

    let definition = store::definitions::find(&state.db, input.definition_id)
        .await?
        .filter(|d| d.active)
        .ok_or_else(|| {
            ApiError::field(
                "definition_id",
                "no active asset definition has this id; pick one from the catalog",
            )
        })?;
    let item = definition.catalog_item();
    let mut errors = shared::validation::new_order(&input, &item);
    let today = state.clock.now().date_naive();
    if let Some(message) = input
        .start_date
        .and_then(|day| shared::validation::start_date(day, today))
    {
        errors.push(shared::FieldError::new("start_date", message));
    }
    ApiError::check(errors)?;
    let start_at = input
        .start_date
        .map(|day| day.and_time(chrono::NaiveTime::MIN).and_utc());

    // The directory is read again at each order: someone disabled since signing in cannot
    // order, and a new manager approves.
    let directory = directory(state).await?;
    let placer_entry = directory
        .person_by_dn(&user.user.directory_dn)
        .await
        .map_err(directory_error)?;
    if placer_entry.disabled {
        return Err(ApiError::Forbidden(
            "Your directory account is disabled, so you cannot place orders.".into(),
        ));
    }
    let account = input
        .on_behalf_of
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let beneficiary = match account {
        Some(account) => deputy_target(&directory, account, &placer_entry).await?,
        None => None,
    };
    let requester_entry = beneficiary.as_ref().unwrap_or(&placer_entry);
    let whose = match &beneficiary {
        Some(person) => Whose::Of(&person.display_name),
        None => Whose::Own,
    };
    if !definition.eligible_group_dns.is_empty()
        && !directory
            .is_nested_member(&requester_entry.dn, &definition.eligible_group_dns)
            .await
            .map_err(directory_error)?
    {
        let who = match whose {
            Whose::Own => "you".to_string(),
            Whose::Of(name) => name.to_string(),
        };
        return Err(ApiError::Forbidden(format!(
            "{} may be ordered only by members of {}; ask IT to add {who} to one of them.",
            definition.name,
            definition.eligible_group_dns.join("; ")
        )));
    }
    let attributes = resolve_attributes(&directory, &item, input.attributes.clone()).await?;
    let placed_by = user.user.person();
    let requester = match &beneficiary {
        Some(person) => Person {
            display_name: person.display_name.clone(),
            email: person.email.clone().unwrap_or_default(),
            directory_dn: person.dn.clone(),
        },
        None => placed_by.clone(),
    };
    let deputy = beneficiary.is_some().then(|| placed_by.clone());
    let duration_days = input.duration_days.unwrap_or(item.default_duration_days);
    let policy = definition.approval();
    let router = Router::new(state).await?;
    let facts = router
        .facts(&OrderFacts {
            attributes_defined: &item.attributes,
            values: &attributes,
            duration_days,
            monthly_cost: item.monthly_cost.as_ref(),
            on_behalf: deputy.is_some(),
            department_dn: routing::tests_department(&policy).then_some(&requester_entry.dn),
        })
        .await?;
    let groups = router
        .plan(&policy, &facts, requester_entry, whose, &definition.name)
        .await?;
    let subject = Subject {
        requester: requester.clone(),
        deputy: deputy.clone(),
    };
    let now = state.clock.now();
    let routed = router.preview(&groups, &subject, now).await?;
    if let Some(problem) = routed.iter().find_map(|g| g.problem.clone()) {
        return Err(ApiError::conflict(problem));
    }

    let justification = input
        .justification
        .as_deref()
        .map(str::trim)
        .filter(|j| !j.is_empty());
    let mut tx = state.db.begin().await?;
    let requester_id = match &beneficiary {
        Some(_) => {
            store::portal_users::for_directory_person(
                &mut tx,
                &requester.email,
                &requester.display_name,
                &requester.directory_dn,
                now,
            )
            .await?
            .id
        }
        None => user.user.id,
    };
    let row = NewOrderRow {
        definition_id: definition.id,
        requester_id,
        requester: &requester,
        placed_by_id: user.user.id,
        deputy: deputy.as_ref(),
        duration_days,
        justification,
        group_dns: &definition.group_dns,
        idempotency_key: idempotency_key.as_deref(),
        attributes: &attributes,
        start_at,
    };

    let inserted = store::orders::insert(&mut tx, &row, &user.actor, now)
        .await
        .map_err(|e| limit_error(e, &definition.name, whose))?;
    let Some(order_id) = inserted else {
        // Another request with the same key won the race, so return its order.
        tx.rollback().await?;
        let key = idempotency_key.unwrap_or_default();
        let existing = store::orders::find_by_idempotency_key(&state.db, user.user.id, &key)
            .await?
            .ok_or_else(|| {
                ApiError::conflict("A request with this Idempotency-Key is in progress.")
            })?;
        return Ok(existing.dto());
    };
    let model = definition.assignment();
    if model != AssignmentModel::CapacityPooled {
        let reserved = store::assets::reserve(
            &mut tx,
            definition.id,
            model,
            definition.shared_max_users,
            order_id,
            now,
        )
        .await?;
        if reserved.is_none() {
            tx.rollback().await?;
            return Err(no_capacity(&definition.name));
        }
    }
    let change = Change {
        action: "order.create",
        entity_type: "order",
        entity_id: order_id.to_string(),
        before: None,
        after: Some(json!({
            "definition_id": definition.id,
            "definition_name": definition.name,
            "duration_days": row.duration_days,
            "justification": justification,
            "group_dns": definition.group_dns,
            "attributes": attributes,
            "on_behalf_of": deputy.as_ref().map(|_| &requester),
        })),
    };
    store::audit::record(&mut tx, &user.actor, now, change).await?;
    if deputy.is_some() {
        let job = NewJob::new(
            Queue::Notifications,
            MAIL_ORDER_UPDATE,
            json!({ "order_id": order_id, "update": Update::PlacedForYou }),
        );
        queue::enqueue(&mut tx, job, now).await?;
    }

    if groups.is_empty() {
        approve_without_approver(&mut tx, order_id, start_at, now).await?;
    } else {
        request_approval(&mut tx, &router, order_id, &user.actor, &groups, now).await?;
    }
    tx.commit().await?;

    tracing::info!(order_id = %order_id, definition_id = %definition.id, "order placed");
    let order = store::orders::find(&state.db, order_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order {order_id} vanished after commit"))?;
    Ok(order.dto())
}

/// Trims text values and replaces each directory-user value with the person it names, so the
/// order records who was meant even if the account is renamed later.
pub async fn resolve_attributes(
    directory: &Directory,
    item: &shared::catalog::CatalogItem,
    mut values: serde_json::Map<String, serde_json::Value>,
) -> ApiResult<serde_json::Value> {
    use shared::catalog::AttributeKind;
    let mut errors = Vec::new();
    for definition in &item.attributes {
        let Some(value) = values.get_mut(&definition.key) else {
            continue;
        };
        let Some(text) = value.as_str().map(str::trim).filter(|t| !t.is_empty()) else {
            continue;
        };
        if definition.kind != AttributeKind::DirectoryUser {
            *value = json!(text);
            continue;
        }
        match directory.find_account(text).await {
            Ok(person) if !person.disabled => {
                *value = json!({
                    "account": text,
                    "display_name": person.display_name,
                    "email": person.email,
                    "dn": person.dn,
                });
            }
            Ok(_) => errors.push(shared::FieldError::new(
                format!("attributes.{}", definition.key),
                format!("{text} is disabled in the directory; name an active account"),
            )),
            Err(DirectoryError::NotFound(_) | DirectoryError::Ambiguous(_)) => {
                errors.push(shared::FieldError::new(
                    format!("attributes.{}", definition.key),
                    format!("no single person in the directory has the account name or mail address {text}"),
                ))
            }
            Err(other) => return Err(directory_error(other)),
        }
    }
    ApiError::check(errors)?;
    values.retain(|_, v| !v.is_null() && v.as_str().is_none_or(|t| !t.trim().is_empty()));
    Ok(serde_json::Value::Object(values))
}

fn no_capacity(definition: &str) -> ApiError {
    ApiError::conflict(format!(
        "No capacity left for {definition}: every slot is taken. Try again when someone returns theirs."
    ))
}

/// Turns the database's capacity and per-person errors into conflicts naming the definition.
fn limit_error(error: sqlx::Error, definition: &str, whose: Whose<'_>) -> ApiError {
    match crate::db::violated_constraint(&error) {
        Some("orders_capacity") => no_capacity(definition),
        Some("orders_max_per_user") => ApiError::conflict(match whose {
            Whose::Own => format!(
                "You already hold as many open orders of {definition} as one person may; return one first."
            ),
            Whose::Of(name) => format!(
                "{name} already holds as many open orders of {definition} as one person may, so \
                 no more can be placed for them until one is returned."
            ),
        }),
        _ if crate::db::is_serialization_failure(&error) => ApiError::conflict(format!(
            "An administrator changed the limits of {definition} while this order was placed, \
             so nothing was ordered. Place the order again."
        )),
        _ => error.into(),
    }
}

/// Creates the order's approval groups, asks the first stage and moves the order to waiting.
async fn request_approval(
    tx: &mut store::Tx<'_>,
    router: &Router<'_>,
    order_id: uuid::Uuid,
    actor: &Actor,
    groups: &[routing::GroupPlan],
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let order = store::orders::find_for_update_in(tx, order_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order {order_id} vanished in its transaction"))?;
    let asked = stages::start(
        tx,
        router,
        &order,
        ApprovalPurpose::Order,
        groups,
        actor,
        now,
    )
    .await?;
    let note = format!("waiting for {}", asked.join(", "));
    transition(
        tx,
        order_id,
        Move {
            from: OrderState::Submitted,
            to: OrderState::PendingApproval,
            actor,
            note: Some(&note),
            stamps: Stamps::default(),
        },
        now,
    )
    .await?;
    Ok(())
}

async fn approve_without_approver(
    tx: &mut store::Tx<'_>,
    order_id: uuid::Uuid,
    start_at: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<()> {
    let actor = Actor::system("auto_approve");
    let note = Some("the asset definition needs no approval");
    transition(
        tx,
        order_id,
        Move {
            from: OrderState::Submitted,
            to: OrderState::Approved,
            actor: &actor,
            note,
            stamps: Stamps::default(),
        },
        now,
    )
    .await?;
    super::provision::start_or_schedule_at(tx, order_id, start_at, &actor, now).await
}
