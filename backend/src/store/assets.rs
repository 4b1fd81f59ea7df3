use super::{Tx, cursor};
use chrono::{DateTime, Utc};
use shared::catalog::AssignmentModel;
use shared::pool::{Asset, AssetInput, AssetStatus};
use sqlx::{FromRow, PgPool, QueryBuilder};
use uuid::Uuid;

/// The order states that release an instance. A failed order keeps its instance until an
/// admin retries or ends it.
const CLOSED: &str = "('completed', 'rejected', 'cancelled')";

#[derive(Debug, Clone, FromRow)]
pub struct AssetRow {
    pub id: Uuid,
    pub definition_id: Uuid,
    pub definition_name: String,
    pub definition_category: String,
    pub name: String,
    /// The name as the database lower-cases it, which keyset cursors must repeat exactly.
    pub sort_key: String,
    pub metadata: sqlx::types::Json<serde_json::Value>,
    pub status: String,
    pub holders: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AssetRow {
    pub fn status(&self) -> AssetStatus {
        AssetStatus::parse(&self.status).expect("the status column references asset_statuses")
    }

    pub fn dto(&self) -> Asset {
        Asset {
            id: self.id,
            definition_id: self.definition_id,
            definition_name: self.definition_name.clone(),
            name: self.name.clone(),
            metadata: self.metadata.0.clone(),
            status: self.status(),
            holders: self.holders,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

fn select() -> String {
    format!(
        "select a.*, lower(a.name) as sort_key, d.name as definition_name,
            d.category as definition_category,
            (select count(*) from orders o where o.asset_id = a.id and o.state not in {CLOSED})
                as holders
         from assets a join asset_definitions d on d.id = a.definition_id"
    )
}

pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<AssetRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{} where a.id = $1", select())))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn find_for_update(tx: &mut Tx<'_>, id: Uuid) -> sqlx::Result<Option<AssetRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{} where a.id = $1 for update of a",
        select()
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// The filters of a pool list.
#[derive(Debug, Default)]
pub struct AssetFilter {
    pub definition_id: Option<Uuid>,
    pub status: Option<AssetStatus>,
    /// Text the name contains, compared without regard to case.
    pub search: Option<String>,
    pub after: Option<(String, Uuid)>,
    pub limit: i64,
}

/// Lists instances by name after the keyset position in the filter.
pub async fn list(db: &PgPool, filter: &AssetFilter) -> sqlx::Result<(Vec<Asset>, Option<String>)> {
    let mut query = QueryBuilder::new(select());
    query.push(" where true");
    if let Some(definition) = filter.definition_id {
        query.push(" and a.definition_id = ").push_bind(definition);
    }
    if let Some(status) = filter.status {
        query.push(" and a.status = ").push_bind(status.as_str());
    }
    if let Some(search) = &filter.search {
        let escaped = super::orders::like_escape(&search.to_lowercase());
        query
            .push(" and lower(a.name) like ")
            .push_bind(format!("%{escaped}%"));
    }
    if let Some((name, id)) = &filter.after {
        query
            .push(" and (lower(a.name), a.id) > (")
            .push_bind(name.clone())
            .push(", ")
            .push_bind(*id)
            .push(")");
    }
    query
        .push(" order by lower(a.name), a.id limit ")
        .push_bind(filter.limit + 1);
    let mut rows: Vec<AssetRow> = query.build_query_as().fetch_all(db).await?;
    let next = super::audit::page_cursor(&mut rows, filter.limit, |row| {
        cursor::encode_text(&row.sort_key, row.id)
    });
    Ok((rows.iter().map(AssetRow::dto).collect(), next))
}

/// Adds an instance; fails on `assets_name_key` when the definition has one of that name.
pub async fn insert(tx: &mut Tx<'_>, input: &AssetInput, now: DateTime<Utc>) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "insert into assets (id, definition_id, name, metadata, status, created_at, updated_at)
         values ($1, $2, $3, $4, 'free', $5, $5)",
    )
    .bind(id)
    .bind(input.definition_id)
    .bind(input.name.trim())
    .bind(sqlx::types::Json(&input.metadata))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn update(
    tx: &mut Tx<'_>,
    id: Uuid,
    input: &AssetInput,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("update assets set name = $2, metadata = $3, updated_at = $4 where id = $1")
        .bind(id)
        .bind(input.name.trim())
        .bind(sqlx::types::Json(&input.metadata))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves an instance from `from` to `to`; false when it is no longer in `from`. The
/// database refuses moves its transition table does not list.
pub async fn set_status(
    tx: &mut Tx<'_>,
    id: Uuid,
    from: AssetStatus,
    to: AssetStatus,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let updated =
        sqlx::query("update assets set status = $3, updated_at = $4 where id = $1 and status = $2")
            .bind(id)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(now)
            .execute(&mut **tx)
            .await?;
    Ok(updated.rows_affected() == 1)
}

/// Assigns an instance of the definition to a new order and returns its id, or `None` when
/// no instance has room. Runs after the order's insert, whose trigger holds the lock on the
/// definition row, so racing orders of one definition take turns here.
pub async fn reserve(
    tx: &mut Tx<'_>,
    definition_id: Uuid,
    model: AssignmentModel,
    shared_max_users: Option<i32>,
    order_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Uuid>> {
    let candidate: Option<Uuid> = match model {
        AssignmentModel::CapacityPooled => return Ok(None),
        AssignmentModel::AssignedPersonal => {
            sqlx::query_scalar(
                "select id from assets where definition_id = $1 and status = 'free'
                 order by lower(name), id limit 1 for update",
            )
            .bind(definition_id)
            .fetch_optional(&mut **tx)
            .await?
        }
        AssignmentModel::DedicatedShared => {
            // The least used instance with room, so people spread over the pool.
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "select a.id from assets a
                 left join lateral (
                     select count(*) as holders from orders o
                     where o.asset_id = a.id and o.state not in {CLOSED}
                 ) h on true
                 where a.definition_id = $1 and a.status in ('free', 'in_use')
                   and h.holders < $2
                 order by h.holders, lower(a.name), a.id limit 1 for update of a"
            )))
            .bind(definition_id)
            .bind(shared_max_users.unwrap_or(1))
            .fetch_optional(&mut **tx)
            .await?
        }
    };
    let Some(asset_id) = candidate else {
        return Ok(None);
    };
    sqlx::query(
        "update assets set status = 'in_use', updated_at = $2 where id = $1 and status = 'free'",
    )
    .bind(asset_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("update orders set asset_id = $2 where id = $1")
        .bind(order_id)
        .bind(asset_id)
        .execute(&mut **tx)
        .await?;
    Ok(Some(asset_id))
}

/// Returns the lower-cased names among `names` that instances of the definition already use.
pub async fn existing_names(
    tx: &mut Tx<'_>,
    definition_id: Uuid,
    names: &[String],
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "select lower(name) from assets where definition_id = $1 and lower(name) = any($2)",
    )
    .bind(definition_id)
    .bind(names)
    .fetch_all(&mut **tx)
    .await
}

/// Adds many instances of one definition in one statement.
pub async fn insert_many(
    tx: &mut Tx<'_>,
    definition_id: Uuid,
    rows: &[shared::pool::ImportPreviewRow],
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let ids: Vec<Uuid> = rows.iter().map(|_| Uuid::now_v7()).collect();
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let statuses: Vec<&str> = rows.iter().map(|r| r.status.as_str()).collect();
    let metadata: Vec<sqlx::types::Json<&serde_json::Value>> = rows
        .iter()
        .map(|r| sqlx::types::Json(&r.metadata))
        .collect();
    let inserted = sqlx::query(
        "insert into assets (id, definition_id, name, metadata, status, created_at, updated_at)
         select id, $1, name, metadata, status, $6, $6
         from unnest($2::uuid[], $3::text[], $4::jsonb[], $5::text[])
             as rows (id, name, metadata, status)",
    )
    .bind(definition_id)
    .bind(&ids)
    .bind(&names)
    .bind(&metadata)
    .bind(&statuses)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected())
}

#[derive(Debug, FromRow)]
pub struct CapacityRow {
    pub id: Uuid,
    pub name: String,
    /// The name as the database lower-cases it, for the keyset cursor.
    pub sort_key: String,
    pub assignment: String,
    pub capacity: Option<i32>,
    pub shared_max_users: Option<i32>,
    pub open_orders: i64,
    pub usable_instances: i64,
    pub instances_in_use: i64,
}

impl CapacityRow {
    pub fn tile(&self) -> shared::pool::CapacityTile {
        let assignment: AssignmentModel =
            serde_json::from_value(serde_json::Value::String(self.assignment.clone()))
                .unwrap_or_default();
        let (total, used) = match assignment {
            AssignmentModel::CapacityPooled => (self.capacity.map(i64::from), self.open_orders),
            AssignmentModel::AssignedPersonal => {
                (Some(self.usable_instances), self.instances_in_use)
            }
            AssignmentModel::DedicatedShared => (
                Some(self.usable_instances * i64::from(self.shared_max_users.unwrap_or(1))),
                self.open_orders,
            ),
        };
        shared::pool::CapacityTile {
            definition_id: self.id,
            name: self.name.clone(),
            assignment,
            total,
            used,
            free: total.map(|t| (t - used).max(0)),
            level: shared::pool::FillLevel::of(used, total),
        }
    }
}

/// Returns the slot counts of active definitions by name, after the keyset position.
pub async fn capacity(
    db: &PgPool,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<CapacityRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select d.id, d.name, lower(d.name) as sort_key, d.assignment, d.capacity, d.shared_max_users,
            (select count(*) from orders o
             where o.definition_id = d.id and o.state not in {CLOSED}) as open_orders,
            (select count(*) from assets a
             where a.definition_id = d.id and a.status in ('free', 'in_use')) as usable_instances,
            (select count(*) from assets a
             where a.definition_id = d.id and a.status = 'in_use') as instances_in_use
         from asset_definitions d
         where d.active and ($1::text is null or (lower(d.name), d.id) > ($1, $2))
         order by lower(d.name), d.id limit $3"
    )))
    .bind(after.as_ref().map(|(name, _)| name.clone()))
    .bind(after.map(|(_, id)| id))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Counts the open orders other than `except` that hold an instance.
pub async fn other_holders(tx: &mut Tx<'_>, asset_id: Uuid, except: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select count(*) from orders
         where asset_id = $1 and id <> $2 and state not in {CLOSED}"
    )))
    .bind(asset_id)
    .bind(except)
    .fetch_one(&mut **tx)
    .await
}

/// Points an order at another instance.
pub async fn assign_order(tx: &mut Tx<'_>, order_id: Uuid, asset_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("update orders set asset_id = $2 where id = $1")
        .bind(order_id)
        .bind(asset_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Locks the definition row, so instance assignments of one definition take turns.
pub async fn lock_definition(tx: &mut Tx<'_>, definition_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("select 1 from asset_definitions where id = $1 for update")
        .bind(definition_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
