use super::Tx;
use chrono::{DateTime, Utc};
use shared::permissions::Role;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct AdminUserRow {
    pub id: Uuid,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub active: bool,
    pub session_epoch: i32,
    pub created_at: DateTime<Utc>,
}

impl AdminUserRow {
    pub fn role(&self) -> Role {
        // The column's check constraint admits only known roles; fall back to the least
        // privileged one rather than fail if that ever changes.
        Role::parse(&self.role).unwrap_or(Role::Helpdesk)
    }
}

pub async fn find_by_id(db: &PgPool, id: Uuid) -> sqlx::Result<Option<AdminUserRow>> {
    sqlx::query_as("select * from admin_users where id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn find_by_username(db: &PgPool, username: &str) -> sqlx::Result<Option<AdminUserRow>> {
    sqlx::query_as("select * from admin_users where username = $1")
        .bind(username)
        .fetch_optional(db)
        .await
}

pub async fn any_exists(db: &PgPool) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists (select 1 from installation)")
        .fetch_one(db)
        .await
}

pub async fn insert(
    tx: &mut Tx<'_>,
    username: &str,
    password_hash: &str,
    role: Role,
    now: DateTime<Utc>,
) -> sqlx::Result<AdminUserRow> {
    sqlx::query_as(
        "insert into admin_users (id, username, password_hash, role, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $5) returning *",
    )
    .bind(Uuid::now_v7())
    .bind(username)
    .bind(password_hash)
    .bind(role.as_str())
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// Marks the installation as set up. Fails with the primary key violated
/// (`installation_pkey`) when another request did so first.
pub async fn mark_installation_set_up(
    tx: &mut Tx<'_>,
    admin_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("insert into installation (singleton, set_up_at, set_up_by) values (true, $1, $2)")
        .bind(now)
        .bind(admin_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
