use super::{Tx, cursor};
use chrono::{DateTime, Utc};
use shared::catalog::*;
use sqlx::{FromRow, PgPool, QueryBuilder};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct DefinitionRow {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub category: String,
    pub strategy: String,
    pub group_dns: Vec<String>,
    pub approval: String,
    pub default_duration_days: i32,
    pub max_duration_days: i32,
    pub justification: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn enum_from<T: for<'de> serde::Deserialize<'de>>(value: &str) -> T {
    // Check constraints admit only the serialized names of these enums.
    serde_json::from_value(serde_json::Value::String(value.into()))
        .expect("column values match the enum's names")
}

pub fn enum_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => unreachable!("unit enums serialize to strings"),
    }
}

impl DefinitionRow {
    pub fn approval(&self) -> ApprovalPolicy {
        enum_from(&self.approval)
    }

    pub fn dto(&self) -> AssetDefinition {
        AssetDefinition {
            id: self.id,
            name: self.name.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            strategy: enum_from(&self.strategy),
            group_dns: self.group_dns.clone(),
            approval: self.approval(),
            default_duration_days: self.default_duration_days,
            max_duration_days: self.max_duration_days,
            justification: enum_from(&self.justification),
            active: self.active,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    pub fn catalog_item(&self) -> CatalogItem {
        let dto = self.dto();
        CatalogItem {
            id: dto.id,
            name: dto.name,
            description: dto.description,
            category: dto.category,
            approval: dto.approval,
            default_duration_days: dto.default_duration_days,
            max_duration_days: dto.max_duration_days,
            justification: dto.justification,
        }
    }
}

pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<DefinitionRow>> {
    sqlx::query_as("select * from asset_definitions where id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn find_for_update(tx: &mut Tx<'_>, id: Uuid) -> sqlx::Result<Option<DefinitionRow>> {
    sqlx::query_as("select * from asset_definitions where id = $1 for update")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// Lists definitions by name; `active_only` for the portal catalog.
pub async fn list(
    db: &PgPool,
    active_only: bool,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<(Vec<DefinitionRow>, Option<String>)> {
    let mut query = QueryBuilder::new("select * from asset_definitions where true");
    if active_only {
        query.push(" and active");
    }
    if let Some((at, id)) = after {
        query
            .push(" and (created_at, id) > (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    query
        .push(" order by created_at, id limit ")
        .push_bind(limit + 1);
    let mut rows: Vec<DefinitionRow> = query.build_query_as().fetch_all(db).await?;
    let next = super::audit::page_cursor(&mut rows, limit, |row| {
        cursor::encode(row.created_at, row.id)
    });
    Ok((rows, next))
}

pub async fn insert(
    tx: &mut Tx<'_>,
    input: &AssetDefinitionInput,
    now: DateTime<Utc>,
) -> sqlx::Result<DefinitionRow> {
    sqlx::query_as(
        "insert into asset_definitions (id, name, description, category, strategy, group_dns,
            approval, default_duration_days, max_duration_days, justification, active,
            created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) returning *",
    )
    .bind(Uuid::now_v7())
    .bind(input.name.trim())
    .bind(&input.description)
    .bind(input.category.trim())
    .bind(enum_name(&input.strategy))
    .bind(trimmed(&input.group_dns))
    .bind(enum_name(&input.approval))
    .bind(input.default_duration_days)
    .bind(input.max_duration_days)
    .bind(enum_name(&input.justification))
    .bind(input.active)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

pub async fn update(
    tx: &mut Tx<'_>,
    id: Uuid,
    input: &AssetDefinitionInput,
    now: DateTime<Utc>,
) -> sqlx::Result<DefinitionRow> {
    sqlx::query_as(
        "update asset_definitions set name = $2, description = $3, category = $4,
            strategy = $5, group_dns = $6, approval = $7, default_duration_days = $8,
            max_duration_days = $9, justification = $10, active = $11, updated_at = $12
         where id = $1 returning *",
    )
    .bind(id)
    .bind(input.name.trim())
    .bind(&input.description)
    .bind(input.category.trim())
    .bind(enum_name(&input.strategy))
    .bind(trimmed(&input.group_dns))
    .bind(enum_name(&input.approval))
    .bind(input.default_duration_days)
    .bind(input.max_duration_days)
    .bind(enum_name(&input.justification))
    .bind(input.active)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

fn trimmed(values: &[String]) -> Vec<String> {
    values.iter().map(|v| v.trim().to_string()).collect()
}
