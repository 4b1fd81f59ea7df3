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
    pub approval_policy: sqlx::types::Json<shared::approvals::ApprovalPolicy>,
    pub policy_problem: Option<String>,
    pub default_duration_days: i32,
    pub max_duration_days: i32,
    pub justification: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub icon: String,
    pub help_text: String,
    pub assignment: String,
    pub capacity: Option<i32>,
    pub shared_max_users: Option<i32>,
    pub max_per_user: Option<i32>,
    pub eligible_group_dns: Vec<String>,
    pub attributes: sqlx::types::Json<Vec<AttributeDefinition>>,
    pub extension: sqlx::types::Json<ExtensionPolicy>,
    pub monthly_cost_minor: Option<i64>,
    pub currency: Option<String>,
    pub cost_center: Option<String>,
    pub reminder_days: Vec<i32>,
    pub deprovision: String,
    pub modification_requires_approval: bool,
    pub provision_runbook_id: Option<Uuid>,
    pub deprovision_runbook_id: Option<Uuid>,
    pub reinstall_runbook_id: Option<Uuid>,
    pub remove_pre_existing: bool,
    pub portal_steps: String,
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
    pub fn approval(&self) -> shared::approvals::ApprovalPolicy {
        self.approval_policy.0.clone()
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
            policy_problem: self.policy_problem.clone(),
            default_duration_days: self.default_duration_days,
            max_duration_days: self.max_duration_days,
            justification: enum_from(&self.justification),
            active: self.active,
            icon: enum_from(&self.icon),
            help_text: self.help_text.clone(),
            help_html: crate::markdown::to_safe_html(&self.help_text),
            assignment: self.assignment(),
            capacity: self.capacity,
            shared_max_users: self.shared_max_users,
            max_per_user: self.max_per_user,
            eligible_group_dns: self.eligible_group_dns.clone(),
            attributes: self.attributes.0.clone(),
            extension: self.extension.0.clone(),
            monthly_cost: self.monthly_cost(),
            reminder_days: self.reminder_days.clone(),
            deprovision: enum_from(&self.deprovision),
            modification_requires_approval: self.modification_requires_approval,
            provision_runbook_id: self.provision_runbook_id,
            deprovision_runbook_id: self.deprovision_runbook_id,
            reinstall_runbook_id: self.reinstall_runbook_id,
            remove_pre_existing: self.remove_pre_existing,
            portal_steps: self.portal_steps(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    pub fn assignment(&self) -> AssignmentModel {
        enum_from(&self.assignment)
    }

    pub fn strategy(&self) -> shared::catalog::Strategy {
        enum_from(&self.strategy)
    }

    pub fn deprovision(&self) -> shared::catalog::DeprovisionPolicy {
        enum_from(&self.deprovision)
    }

    pub fn portal_steps(&self) -> shared::runbooks::PortalSteps {
        enum_from(&self.portal_steps)
    }

    fn monthly_cost(&self) -> Option<MonthlyCost> {
        Some(MonthlyCost {
            amount_minor: self.monthly_cost_minor?,
            currency: self.currency.clone()?,
            cost_center: self.cost_center.clone().unwrap_or_default(),
        })
    }

    pub fn catalog_item(&self) -> CatalogItem {
        let dto = self.dto();
        CatalogItem {
            id: dto.id,
            name: dto.name,
            description: dto.description,
            category: dto.category,
            needs_approval: !dto.approval.is_empty(),
            approvers: dto.approval.summary(),
            default_duration_days: dto.default_duration_days,
            max_duration_days: dto.max_duration_days,
            justification: dto.justification,
            icon: dto.icon,
            help_html: dto.help_html,
            classification: dto
                .attributes
                .iter()
                .map(|a| a.classification)
                .max()
                .unwrap_or_default(),
            attributes: dto.attributes,
            extension: dto.extension,
            monthly_cost: dto.monthly_cost,
            modification_requires_approval: dto.modification_requires_approval,
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

/// The filters of a definition list.
#[derive(Debug, Default)]
pub struct DefinitionFilter {
    /// Only active definitions, as the portal catalog shows them.
    pub active_only: bool,
    /// Text the name or description contains, without regard to case.
    pub search: Option<String>,
    /// Only this category, without regard to case.
    pub category: Option<String>,
    /// Definitions to leave out, such as those the reader may not order.
    pub excluded: Vec<Uuid>,
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// Lists definitions in the order they were created, after the keyset position.
pub async fn list(
    db: &PgPool,
    filter: &DefinitionFilter,
) -> sqlx::Result<(Vec<DefinitionRow>, Option<String>)> {
    let mut query = QueryBuilder::new("select * from asset_definitions where true");
    if filter.active_only {
        query.push(" and active");
    }
    if let Some(text) = &filter.search {
        let pattern = format!("%{}%", super::orders::like_escape(&text.to_lowercase()));
        query
            .push(" and (lower(name) like ")
            .push_bind(pattern.clone())
            .push(" or lower(description) like ")
            .push_bind(pattern)
            .push(")");
    }
    if let Some(category) = &filter.category {
        query
            .push(" and lower(btrim(category)) = ")
            .push_bind(category.trim().to_lowercase());
    }
    if !filter.excluded.is_empty() {
        query
            .push(" and not (id = any(")
            .push_bind(filter.excluded.clone())
            .push("))");
    }
    if let Some((at, id)) = filter.after {
        query
            .push(" and (created_at, id) > (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    query
        .push(" order by created_at, id limit ")
        .push_bind(filter.limit + 1);
    let mut rows: Vec<DefinitionRow> = query.build_query_as().fetch_all(db).await?;
    let next = super::audit::page_cursor(&mut rows, filter.limit, |row| {
        cursor::encode(row.created_at, row.id)
    });
    Ok((rows, next))
}

/// Active definitions that only members of some groups may order, with those groups.
pub async fn restricted(db: &PgPool) -> sqlx::Result<Vec<(Uuid, Vec<String>)>> {
    sqlx::query_as(
        "select id, eligible_group_dns from asset_definitions
         where active and cardinality(eligible_group_dns) > 0",
    )
    .fetch_all(db)
    .await
}

/// Returns the categories of active definitions by name, at most 500, leaving out those whose
/// only definitions are `excluded`.
pub async fn active_categories(db: &PgPool, excluded: &[Uuid]) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "select min(btrim(category)) from asset_definitions
         where active and not (id = any($1))
         group by lower(btrim(category)) order by lower(btrim(category)) limit 500",
    )
    .bind(excluded)
    .fetch_all(db)
    .await
}

pub async fn insert(
    tx: &mut Tx<'_>,
    input: &AssetDefinitionInput,
    now: DateTime<Utc>,
) -> sqlx::Result<DefinitionRow> {
    let query = sqlx::query_as(
        "insert into asset_definitions (id, name, description, category, strategy, group_dns,
            approval_policy, default_duration_days, max_duration_days, justification, active,
            created_at, updated_at, icon, help_text, assignment, capacity, shared_max_users,
            max_per_user, eligible_group_dns, attributes, extension, monthly_cost_minor,
            currency, cost_center, reminder_days, deprovision, modification_requires_approval,
            provision_runbook_id, deprovision_runbook_id, reinstall_runbook_id,
            remove_pre_existing, portal_steps)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15, $16,
            $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)
         returning *",
    );
    bind_input(query.bind(Uuid::now_v7()), input, now)
        .fetch_one(&mut **tx)
        .await
}

type DefinitionQuery<'q> =
    sqlx::query::QueryAs<'q, sqlx::Postgres, DefinitionRow, sqlx::postgres::PgArguments>;

/// Binds the input's fields as `$2` to `$32` in the order insert and update list them, with
/// the time as `$12`.
fn bind_input<'q>(
    query: DefinitionQuery<'q>,
    input: &'q AssetDefinitionInput,
    now: DateTime<Utc>,
) -> DefinitionQuery<'q> {
    let cost = input.monthly_cost.as_ref();
    query
        .bind(input.name.trim())
        .bind(&input.description)
        .bind(input.category.trim())
        .bind(enum_name(&input.strategy))
        .bind(trimmed(&input.group_dns))
        .bind(sqlx::types::Json(&input.approval))
        .bind(input.default_duration_days)
        .bind(input.max_duration_days)
        .bind(enum_name(&input.justification))
        .bind(input.active)
        .bind(now)
        .bind(enum_name(&input.icon))
        .bind(&input.help_text)
        .bind(enum_name(&input.assignment))
        .bind(input.capacity)
        .bind(input.shared_max_users)
        .bind(input.max_per_user)
        .bind(trimmed(&input.eligible_group_dns))
        .bind(sqlx::types::Json(&input.attributes))
        .bind(sqlx::types::Json(&input.extension))
        .bind(cost.map(|c| c.amount_minor))
        .bind(cost.map(|c| c.currency.as_str()))
        .bind(cost.map(|c| c.cost_center.trim()))
        .bind(&input.reminder_days)
        .bind(enum_name(&input.deprovision))
        .bind(input.modification_requires_approval)
        .bind(input.provision_runbook_id)
        .bind(input.deprovision_runbook_id)
        .bind(input.reinstall_runbook_id)
        .bind(input.remove_pre_existing)
        .bind(enum_name(&input.portal_steps))
}

pub async fn update(
    tx: &mut Tx<'_>,
    id: Uuid,
    input: &AssetDefinitionInput,
    now: DateTime<Utc>,
) -> sqlx::Result<DefinitionRow> {
    let query = sqlx::query_as(
        "update asset_definitions set name = $2, description = $3, category = $4,
            strategy = $5, group_dns = $6, approval_policy = $7, default_duration_days = $8,
            max_duration_days = $9, justification = $10, active = $11, updated_at = $12,
            icon = $13, help_text = $14, assignment = $15, capacity = $16,
            shared_max_users = $17, max_per_user = $18, eligible_group_dns = $19,
            attributes = $20, extension = $21, monthly_cost_minor = $22, currency = $23,
            cost_center = $24, reminder_days = $25, deprovision = $26,
            modification_requires_approval = $27, provision_runbook_id = $28,
            deprovision_runbook_id = $29, reinstall_runbook_id = $30,
            remove_pre_existing = $31, portal_steps = $32, policy_problem = null
         where id = $1 returning *",
    );
    bind_input(query.bind(id), input, now)
        .fetch_one(&mut **tx)
        .await
}

fn trimmed(values: &[String]) -> Vec<String> {
    values.iter().map(|v| v.trim().to_string()).collect()
}

/// Lists every active definition, for the daily policy check.
pub async fn all_active(db: &PgPool) -> sqlx::Result<Vec<DefinitionRow>> {
    sqlx::query_as("select * from asset_definitions where active order by lower(name), id")
        .fetch_all(db)
        .await
}

/// Records the outcome of a policy check. Returns whether the problem changed.
pub async fn set_policy_problem(
    tx: &mut Tx<'_>,
    id: Uuid,
    problem: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    sqlx::query("update asset_definitions set policy_checked_at = $2 where id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let changed = sqlx::query(
        "update asset_definitions set policy_problem = $2
         where id = $1 and policy_problem is distinct from $2",
    )
    .bind(id)
    .bind(problem)
    .execute(&mut **tx)
    .await?;
    Ok(changed.rows_affected() == 1)
}
