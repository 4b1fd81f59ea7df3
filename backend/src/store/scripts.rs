//! Stored scripts and every saved version of them.

use super::Tx;
use chrono::{DateTime, Utc};
use shared::runbooks::{Script, ScriptInput, ScriptLanguage, ScriptVersion};
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct ScriptRow {
    pub id: Uuid,
    pub name: String,
    pub language: String,
    pub description: String,
    pub version: i32,
    pub body: String,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
}

impl ScriptRow {
    pub fn language(&self) -> ScriptLanguage {
        ScriptLanguage::parse(&self.language).unwrap_or(ScriptLanguage::Powershell)
    }

    pub fn dto(&self) -> Script {
        Script {
            id: self.id,
            name: self.name.clone(),
            language: self.language(),
            description: self.description.clone(),
            body: self.body.clone(),
            version: self.version,
            updated_by: self.created_by.clone(),
            updated_at: self.updated_at,
        }
    }
}

pub async fn list(db: &PgPool) -> sqlx::Result<Vec<ScriptRow>> {
    sqlx::query_as(
        "select s.id, s.name, s.language, s.description, s.version, v.body,
            v.created_by, s.updated_at
         from scripts s join script_versions v on v.script_id = s.id and v.version = s.version
         order by lower(s.name) limit 500",
    )
    .fetch_all(db)
    .await
}

pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<ScriptRow>> {
    sqlx::query_as(
        "select s.id, s.name, s.language, s.description, s.version, v.body,
            v.created_by, s.updated_at
         from scripts s join script_versions v on v.script_id = s.id and v.version = s.version
         where s.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn find_by_name(db: &PgPool, name: &str) -> sqlx::Result<Option<ScriptRow>> {
    sqlx::query_as(
        "select s.id, s.name, s.language, s.description, s.version, v.body,
            v.created_by, s.updated_at
         from scripts s join script_versions v on v.script_id = s.id and v.version = s.version
         where lower(s.name) = lower($1)",
    )
    .bind(name)
    .fetch_optional(db)
    .await
}

pub async fn insert(
    tx: &mut Tx<'_>,
    input: &ScriptInput,
    by: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "insert into scripts (id, name, language, description, version, created_at, updated_at)
         values ($1, $2, $3, $4, 1, $5, $5)",
    )
    .bind(id)
    .bind(input.name.trim())
    .bind(input.language.as_str())
    .bind(&input.description)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    add_version(tx, id, 1, &input.body, by, now).await?;
    Ok(id)
}

async fn add_version(
    tx: &mut Tx<'_>,
    id: Uuid,
    version: i32,
    body: &str,
    by: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into script_versions (script_id, version, body, created_by, created_at)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(version)
    .bind(body)
    .bind(by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Saves a new version when the body changed; name, language and description change in
/// place. Returns the version now current, or `None` when there is no such script.
pub async fn update(
    tx: &mut Tx<'_>,
    id: Uuid,
    input: &ScriptInput,
    by: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i32>> {
    let current: Option<(i32, String)> = sqlx::query_as(
        "select s.version, v.body from scripts s
         join script_versions v on v.script_id = s.id and v.version = s.version
         where s.id = $1 for update of s",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((version, body)) = current else {
        return Ok(None);
    };
    let version = if body == input.body {
        version
    } else {
        add_version(tx, id, version + 1, &input.body, by, now).await?;
        version + 1
    };
    sqlx::query(
        "update scripts set name = $2, language = $3, description = $4, version = $5,
            updated_at = $6
         where id = $1",
    )
    .bind(id)
    .bind(input.name.trim())
    .bind(input.language.as_str())
    .bind(&input.description)
    .bind(version)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(Some(version))
}

pub async fn versions(db: &PgPool, id: Uuid) -> sqlx::Result<Vec<ScriptVersion>> {
    let rows: Vec<(i32, String, String, DateTime<Utc>)> = sqlx::query_as(
        "select version, body, created_by, created_at from script_versions
         where script_id = $1 order by version desc limit 200",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(version, body, created_by, created_at)| ScriptVersion {
            version,
            body,
            created_by,
            created_at,
        })
        .collect())
}

/// Returns the names of the runbooks with a script step that names the script `name`, matched
/// without regard to case as the step does. A step whose script is a template is not counted.
pub async fn used_by(tx: &mut Tx<'_>, name: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "select r.name from runbooks r
         where exists (
            select 1 from jsonb_array_elements(r.steps) step
            where step->>'module' = 'script'
              and lower(trim(step->'params'->>'script')) = lower($1))
         order by lower(r.name)",
    )
    .bind(name.trim())
    .fetch_all(&mut **tx)
    .await
}

/// Points the script steps that name the script `from` at its new name `to`, counting each
/// changed runbook's version up. Returns the changed runbooks' ids and names.
pub async fn rename_in_runbooks(
    tx: &mut Tx<'_>,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "update runbooks r set
            steps = (
                select jsonb_agg(
                    case when step->>'module' = 'script'
                              and lower(trim(step->'params'->>'script')) = lower($1)
                         then jsonb_set(step, '{params,script}', to_jsonb($2::text))
                         else step end
                    order by position)
                from jsonb_array_elements(r.steps) with ordinality as t(step, position)),
            version = version + 1, updated_at = $3
         where exists (
            select 1 from jsonb_array_elements(r.steps) step
            where step->>'module' = 'script'
              and lower(trim(step->'params'->>'script')) = lower($1))
         returning r.id, r.name",
    )
    .bind(from.trim())
    .bind(to.trim())
    .bind(now)
    .fetch_all(&mut **tx)
    .await
}

/// Deletes a script; returns false when there was none.
pub async fn delete(tx: &mut Tx<'_>, id: Uuid) -> sqlx::Result<bool> {
    let deleted = sqlx::query("delete from scripts where id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(deleted.rows_affected() == 1)
}
