//! Orders and their timeline. Every state change goes through [`transition`], a conditional
//! update that succeeds for exactly one of several racing callers.

use super::{Tx, cursor};
use crate::auth::Actor;
use chrono::{DateTime, Utc};
use shared::admin_users::AccessScope;
use shared::orders::{Order, OrderEvent, OrderState, PendingChange, Person};
use sqlx::{FromRow, PgPool, QueryBuilder};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct OrderRow {
    pub id: Uuid,
    pub definition_id: Uuid,
    pub definition_name: String,
    pub definition_category: String,
    pub asset_id: Option<Uuid>,
    pub asset_name: Option<String>,
    pub attributes: sqlx::types::Json<serde_json::Value>,
    pub extension_count: i32,
    pub pending_change: Option<sqlx::types::Json<PendingChange>>,
    pub start_at: Option<DateTime<Utc>>,
    pub requester_id: Uuid,
    pub requester_name: String,
    pub requester_email: String,
    pub requester_dn: String,
    pub placed_by_id: Uuid,
    pub placed_by_name: Option<String>,
    pub placed_by_email: Option<String>,
    pub placed_by_dn: Option<String>,
    pub change_asked_by_name: Option<String>,
    pub change_asked_by_email: Option<String>,
    pub state: String,
    pub duration_days: i32,
    pub justification: Option<String>,
    pub group_dns: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub activated_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl OrderRow {
    pub fn state(&self) -> OrderState {
        OrderState::parse(&self.state).expect("the state column references order_states")
    }

    /// Returns whether the portal user gets the access or placed the order for someone else.
    /// Both of them may read and manage the order.
    pub fn concerns(&self, portal_user_id: Uuid) -> bool {
        self.requester_id == portal_user_id || self.placed_by_id == portal_user_id
    }

    /// Returns the deputy's name when the deputy, not the requester, requested the latest change.
    pub fn change_asked_by_deputy(&self) -> Option<&str> {
        let email = self.change_asked_by_email.as_deref()?;
        (!email.eq_ignore_ascii_case(&self.requester_email))
            .then_some(self.change_asked_by_name.as_deref())
            .flatten()
    }

    /// Returns the deputy who placed the order, when it was not the requester.
    pub fn deputy(&self) -> Option<Person> {
        Some(Person {
            display_name: self.placed_by_name.clone()?,
            email: self.placed_by_email.clone()?,
            directory_dn: self.placed_by_dn.clone()?,
        })
    }

    pub fn dto(&self) -> Order {
        Order {
            id: self.id,
            definition_id: self.definition_id,
            definition_name: self.definition_name.clone(),
            definition_category: self.definition_category.clone(),
            asset_name: self.asset_name.clone(),
            attributes: self.attributes.0.clone(),
            extension_count: self.extension_count,
            pending_change: self.pending_change.as_ref().map(|c| c.0.clone()),
            start_at: self.start_at,
            requester: Person {
                display_name: self.requester_name.clone(),
                email: self.requester_email.clone(),
                directory_dn: self.requester_dn.clone(),
            },
            placed_by: self.deputy(),
            state: self.state(),
            duration_days: self.duration_days,
            justification: self.justification.clone(),
            created_at: self.created_at,
            activated_at: self.activated_at,
            expires_at: self.expires_at,
            closed_at: self.closed_at,
        }
    }
}

/// Prefixes the order query with its join, as a literal so sqlx accepts it as static SQL.
macro_rules! select_orders {
    ($rest:literal) => {
        concat!(
            "select o.*, d.name as definition_name, d.category as definition_category, \
                a.name as asset_name \
             from orders o join asset_definitions d on d.id = o.definition_id \
             left join assets a on a.id = o.asset_id",
            $rest
        )
    };
}

pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<OrderRow>> {
    sqlx::query_as(select_orders!(" where o.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Reads an order and locks its row until the transaction ends.
pub async fn find_for_update_in(tx: &mut Tx<'_>, id: Uuid) -> sqlx::Result<Option<OrderRow>> {
    sqlx::query_as(select_orders!(" where o.id = $1 for update of o"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

pub async fn find_in(tx: &mut Tx<'_>, id: Uuid) -> sqlx::Result<Option<OrderRow>> {
    sqlx::query_as(select_orders!(" where o.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// The fields of a new order.
pub struct NewOrderRow<'a> {
    pub definition_id: Uuid,
    pub requester_id: Uuid,
    pub requester: &'a Person,
    /// The portal user who placed the order: the requester, or a deputy.
    pub placed_by_id: Uuid,
    /// The deputy's details, when someone else placed the order.
    pub deputy: Option<&'a Person>,
    pub duration_days: i32,
    pub justification: Option<&'a str>,
    pub group_dns: &'a [String],
    pub idempotency_key: Option<&'a str>,
    pub attributes: &'a serde_json::Value,
    pub start_at: Option<DateTime<Utc>>,
}

/// Inserts an order in state `submitted` with the first timeline event. Returns `None` when
/// the sender already placed an order with the same idempotency key.
pub async fn insert(
    tx: &mut Tx<'_>,
    order: &NewOrderRow<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Uuid>> {
    let id = Uuid::now_v7();
    let note = order.deputy.map(|deputy| {
        format!(
            "placed by {} on behalf of {}",
            deputy.display_name, order.requester.display_name
        )
    });
    // Writes the order and its first timeline event in one statement. A used idempotency key
    // inserts no order, so no event either.
    let inserted = sqlx::query(
        "with placed as (
            insert into orders (id, definition_id, requester_id, requester_name,
                requester_email, requester_dn, state, duration_days, justification, group_dns,
                idempotency_key, created_at, updated_at, attributes, start_at, placed_by_id,
                placed_by_name, placed_by_email, placed_by_dn)
            values ($1, $2, $3, $4, $5, $6, 'submitted', $7, $8, $9, $10, $11, $11, $12, $13,
                $14, $15, $16, $17)
            on conflict (placed_by_id, idempotency_key) do nothing
            returning id)
         insert into order_events (id, order_id, at, from_state, to_state, actor, note)
         select $18, id, $11, null, 'submitted', $19, $20 from placed",
    )
    .bind(id)
    .bind(order.definition_id)
    .bind(order.requester_id)
    .bind(&order.requester.display_name)
    .bind(&order.requester.email)
    .bind(&order.requester.directory_dn)
    .bind(order.duration_days)
    .bind(order.justification)
    .bind(order.group_dns)
    .bind(order.idempotency_key)
    .bind(now)
    .bind(sqlx::types::Json(order.attributes))
    .bind(order.start_at)
    .bind(order.placed_by_id)
    .bind(order.deputy.map(|p| &p.display_name))
    .bind(order.deputy.map(|p| &p.email))
    .bind(order.deputy.map(|p| &p.directory_dn))
    .bind(Uuid::now_v7())
    .bind(actor.as_str())
    .bind(note.as_deref())
    .execute(&mut **tx)
    .await?;
    Ok((inserted.rows_affected() == 1).then_some(id))
}

/// Finds the order a portal user placed earlier with `key`, for themselves or someone else.
pub async fn find_by_idempotency_key(
    db: &PgPool,
    placed_by_id: Uuid,
    key: &str,
) -> sqlx::Result<Option<OrderRow>> {
    sqlx::query_as(select_orders!(
        " where o.placed_by_id = $1 and o.idempotency_key = $2"
    ))
    .bind(placed_by_id)
    .bind(key)
    .fetch_optional(db)
    .await
}

/// Timestamps a transition sets besides the state.
#[derive(Default)]
pub struct Stamps {
    pub activated_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// One move of an order between states.
pub struct Move<'a> {
    pub from: OrderState,
    pub to: OrderState,
    pub actor: &'a Actor,
    pub note: Option<&'a str>,
    pub stamps: Stamps,
}

/// Moves an order from `from` to `to` if it is still in `from`, and records the event.
/// Returns false, changing nothing, when the order was in another state.
pub async fn transition(
    tx: &mut Tx<'_>,
    id: Uuid,
    change: &Move<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let Move {
        from,
        to,
        actor,
        note,
        stamps,
    } = change;
    let (from, to, note) = (*from, *to, *note);
    // Moves the order and records the event in one statement. Neither happens when the order
    // is in another state.
    let moved = sqlx::query(
        "with moved as (
            update orders set state = $3, updated_at = $4,
                activated_at = coalesce($5, activated_at),
                expires_at = coalesce($6, expires_at),
                closed_at = coalesce($7, closed_at)
            where id = $1 and state = $2
            returning id)
         insert into order_events (id, order_id, at, from_state, to_state, actor, note)
         select $8, id, $4, $2, $3, $9, $10 from moved",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(now)
    .bind(stamps.activated_at)
    .bind(stamps.expires_at)
    .bind(stamps.closed_at)
    .bind(Uuid::now_v7())
    .bind(actor.as_str())
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(moved.rows_affected() == 1)
}

/// Records a timeline event that is not a change of state, such as an extension.
pub async fn note_event(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    state: OrderState,
    actor: &Actor,
    note: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    record_event(tx, order_id, Some(state), state, actor, Some(note), now).await
}

/// Records who asked for the latest change of an order.
pub async fn set_change_asker(tx: &mut Tx<'_>, id: Uuid, asker: &Person) -> sqlx::Result<()> {
    sqlx::query(
        "update orders set change_asked_by_name = $2, change_asked_by_email = $3 where id = $1",
    )
    .bind(id)
    .bind(&asker.display_name)
    .bind(&asker.email)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores the change waiting for approval, or clears it with `None`.
pub async fn set_pending_change(
    tx: &mut Tx<'_>,
    id: Uuid,
    change: Option<&PendingChange>,
) -> sqlx::Result<()> {
    sqlx::query("update orders set pending_change = $2 where id = $1")
        .bind(id)
        .bind(change.map(sqlx::types::Json))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Applies a change to an order in an open state: moves the expiry or replaces the attributes.
pub async fn apply_change(
    tx: &mut Tx<'_>,
    id: Uuid,
    change: &PendingChange,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    match change {
        PendingChange::Extend { days } => {
            sqlx::query(
                "update orders set expires_at = expires_at + make_interval(days => $2),
                    extension_count = extension_count + 1, updated_at = $3
                 where id = $1",
            )
            .bind(id)
            .bind(days)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        PendingChange::Modify { attributes } => {
            sqlx::query("update orders set attributes = $2, updated_at = $3 where id = $1")
                .bind(id)
                .bind(sqlx::types::Json(attributes))
                .bind(now)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

async fn record_event(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    from: Option<OrderState>,
    to: OrderState,
    actor: &Actor,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into order_events (id, order_id, at, from_state, to_state, actor, note)
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7())
    .bind(order_id)
    .bind(now)
    .bind(from.map(OrderState::as_str))
    .bind(to.as_str())
    .bind(actor.as_str())
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct EventRow {
    at: DateTime<Utc>,
    from_state: Option<String>,
    to_state: String,
    actor: String,
    note: Option<String>,
}

pub async fn events(db: &PgPool, order_id: Uuid) -> sqlx::Result<Vec<OrderEvent>> {
    let rows: Vec<EventRow> =
        sqlx::query_as("select * from order_events where order_id = $1 order by at, id")
            .bind(order_id)
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|row| OrderEvent {
            at: row.at,
            from_state: row.from_state.as_deref().and_then(OrderState::parse),
            to_state: OrderState::parse(&row.to_state).unwrap_or(OrderState::Failed),
            actor: row.actor,
            note: row.note,
        })
        .collect())
}

#[derive(Debug, Default)]
pub struct OrderFilter<'a> {
    pub state: Option<OrderState>,
    /// Only orders this portal user gets or placed for someone else.
    pub concerning: Option<Uuid>,
    /// Only orders of definitions this scope covers.
    pub scope: Option<&'a AccessScope>,
    pub definition_id: Option<Uuid>,
    /// Text the requester's name or mail address contains, without regard to case.
    pub requester: Option<String>,
    /// Only orders placed at or after this time.
    pub created_from: Option<DateTime<Utc>>,
    /// Only orders placed before this time.
    pub created_before: Option<DateTime<Utc>>,
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// Escapes `%`, `_` and `\` so they match themselves in a LIKE pattern.
pub fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Lists orders, newest first, after the keyset position in the filter.
pub async fn list(
    db: &PgPool,
    filter: &OrderFilter<'_>,
) -> sqlx::Result<(Vec<Order>, Option<String>)> {
    let mut query = QueryBuilder::new(select_orders!(""));
    query.push(" where true");
    if let Some(state) = filter.state {
        query.push(" and o.state = ").push_bind(state.as_str());
    }
    if let Some(person) = filter.concerning {
        query
            .push(" and (o.requester_id = ")
            .push_bind(person)
            .push(" or (o.placed_by_id = ")
            .push_bind(person)
            // Matches the partial index of orders placed for others.
            .push(" and o.placed_by_id <> o.requester_id))");
    }
    if let Some(definition) = filter.definition_id {
        query.push(" and o.definition_id = ").push_bind(definition);
    }
    if let Some(text) = &filter.requester {
        let pattern = format!("%{}%", like_escape(&text.to_lowercase()));
        query
            .push(" and (lower(o.requester_name) like ")
            .push_bind(pattern.clone())
            .push(" or lower(o.requester_email) like ")
            .push_bind(pattern)
            .push(")");
    }
    if let Some(from) = filter.created_from {
        query.push(" and o.created_at >= ").push_bind(from);
    }
    if let Some(before) = filter.created_before {
        query.push(" and o.created_at < ").push_bind(before);
    }
    if let Some(scope) = filter.scope.filter(|scope| !scope.is_everywhere()) {
        let categories: Vec<String> = scope
            .categories
            .iter()
            .map(|c| c.trim().to_lowercase())
            .collect();
        query
            .push(" and (o.definition_id = any(")
            .push_bind(scope.definitions.clone())
            .push(") or lower(btrim(d.category)) = any(")
            .push_bind(categories)
            .push("))");
    }
    if let Some((at, id)) = filter.after {
        query
            .push(" and (o.created_at, o.id) < (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    query
        .push(" order by o.created_at desc, o.id desc limit ")
        .push_bind(filter.limit + 1);
    let mut rows: Vec<OrderRow> = query.build_query_as().fetch_all(db).await?;
    let next = super::audit::page_cursor(&mut rows, filter.limit, |row| {
        cursor::encode(row.created_at, row.id)
    });
    Ok((rows.iter().map(OrderRow::dto).collect(), next))
}

/// Scheduled orders whose start has come, locked so that two runs never take the same order.
pub async fn lock_due_scheduled(
    tx: &mut Tx<'_>,
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "select id from orders where state = 'scheduled' and start_at <= $1
         order by start_at limit $2 for update skip locked",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
}

/// Active orders whose access has run out, including those waiting for a change, locked so
/// that two expiry runs never take the same order.
pub async fn lock_expired(
    tx: &mut Tx<'_>,
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "select id from orders
         where state in ('active', 'modification_pending') and expires_at <= $1
         order by expires_at limit $2 for update skip locked",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
}

/// Another order of the same person that still grants `group_dn`: being provisioned, active or
/// being modified. Returns its id.
pub async fn other_order_covering(
    db: &PgPool,
    order_id: Uuid,
    requester_dn: &str,
    group_dn: &str,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "select id from orders
         where id <> $1 and dn_key(requester_dn) = dn_key($2)
           and state in ('provisioning', 'active', 'modification_pending')
           and (exists (select 1 from unnest(group_dns) g where dn_key(g) = dn_key($3))
                or exists (select 1 from order_grants og
                           where og.order_id = orders.id and dn_key(og.group_dn) = dn_key($3)))
         order by created_at limit 1",
    )
    .bind(order_id)
    .bind(requester_dn)
    .bind(group_dn)
    .fetch_optional(db)
    .await
}

/// Returns whether the person held `group_dn` before any live order of ours: a member now whom
/// no other live order covers, or whom a covering order found to be a member before it.
pub async fn held_before(
    db: &PgPool,
    order_id: Uuid,
    requester_dn: &str,
    group_dn: &str,
    was_member: bool,
) -> sqlx::Result<bool> {
    if !was_member {
        return Ok(false);
    }
    if other_order_covering(db, order_id, requester_dn, group_dn)
        .await?
        .is_none()
    {
        return Ok(true);
    }
    sqlx::query_scalar(
        "select exists (select 1 from order_grants og join orders o on o.id = og.order_id
            where o.id <> $1 and dn_key(o.requester_dn) = dn_key($2)
              and o.state in ('provisioning', 'active', 'modification_pending')
              and dn_key(og.group_dn) = dn_key($3) and og.pre_existing)",
    )
    .bind(order_id)
    .bind(requester_dn)
    .bind(group_dn)
    .fetch_one(db)
    .await
}

/// Records what provisioning found before changing a group. The first record wins, so a run
/// resumed after a crash keeps what was true before any change of its own.
pub async fn record_grant(
    db: &PgPool,
    order_id: Uuid,
    group_dn: &str,
    pre_existing: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into order_grants (order_id, group_dn, pre_existing, recorded_at)
         values ($1, $2, $3, $4) on conflict do nothing",
    )
    .bind(order_id)
    .bind(group_dn)
    .bind(pre_existing)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Whether the membership in `group_dn` existed before the order, as recorded at provisioning.
pub async fn grant_was_pre_existing(
    db: &PgPool,
    order_id: Uuid,
    group_dn: &str,
) -> sqlx::Result<bool> {
    let found: Option<bool> = sqlx::query_scalar(
        "select pre_existing from order_grants where order_id = $1 and group_dn = $2",
    )
    .bind(order_id)
    .bind(group_dn)
    .fetch_optional(db)
    .await?;
    Ok(found.unwrap_or(false))
}

/// Lists a definition's orders placed since `since` and every one still waiting for a
/// decision, newest first, for the replay of a changed approval policy.
pub async fn for_replay(
    db: &PgPool,
    definition_id: Uuid,
    since: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<OrderRow>> {
    sqlx::query_as(select_orders!(
        " where o.definition_id = $1
            and (o.created_at >= $2 or o.state in ('pending_approval', 'modification_pending'))
          order by o.created_at desc, o.id desc limit $3"
    ))
    .bind(definition_id)
    .bind(since)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// What the order granted, with the other live orders of the same person that grant the same
/// group.
pub async fn grants(db: &PgPool, order_id: Uuid) -> sqlx::Result<Vec<shared::orders::Grant>> {
    let rows: Vec<(String, bool, Vec<Uuid>)> = sqlx::query_as(
        "select g.group_dn, g.pre_existing,
            array(select o.id from orders o
                  where o.id <> g.order_id and dn_key(o.requester_dn) = dn_key(r.requester_dn)
                    and o.state in ('provisioning', 'active', 'modification_pending')
                    and (exists (select 1 from unnest(o.group_dns) x
                                 where dn_key(x) = dn_key(g.group_dn))
                         or exists (select 1 from order_grants og
                                    where og.order_id = o.id
                                      and dn_key(og.group_dn) = dn_key(g.group_dn)))
                  order by o.created_at) as also_covered_by
         from order_grants g join orders r on r.id = g.order_id
         where g.order_id = $1 order by g.recorded_at, g.group_dn",
    )
    .bind(order_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(group_dn, pre_existing, also_covered_by)| shared::orders::Grant {
                group_dn,
                pre_existing,
                also_covered_by,
            },
        )
        .collect())
}

/// Counts the orders in each of `states`. States without orders are left out. Each state is
/// read from the `orders_state_keyset` index, so final states with many orders cost nothing
/// when they are not asked for.
pub async fn count_by_state(db: &PgPool, states: &[&str]) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as("select state, count(*) from orders where state = any($1) group by state")
        .bind(states)
        .fetch_all(db)
        .await
}
