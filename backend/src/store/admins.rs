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
    pub updated_at: DateTime<Utc>,
    /// The encrypted authenticator secret once two-factor sign-in is on.
    pub totp_secret: Option<String>,
    /// The encrypted secret of a setup not yet confirmed with a code.
    pub totp_pending_secret: Option<String>,
    /// The last time step whose code signed in, so no code works twice.
    pub totp_last_counter: i64,
}

impl AdminUserRow {
    pub fn dto(&self) -> shared::admin_users::AdminUser {
        shared::admin_users::AdminUser {
            id: self.id,
            username: self.username.clone(),
            role: self.role(),
            active: self.active,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

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

pub async fn find_for_update(tx: &mut Tx<'_>, id: Uuid) -> sqlx::Result<Option<AdminUserRow>> {
    sqlx::query_as("select * from admin_users where id = $1 for update")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// Locks every active superadmin row and returns their ids. Two requests that would each
/// remove a different one of the last two superadmins serialize here, so the second sees
/// the first's change.
pub async fn lock_active_superadmins(tx: &mut Tx<'_>) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "select id from admin_users where role = 'superadmin' and active order by id for update",
    )
    .fetch_all(&mut **tx)
    .await
}

/// Lists admin users by username, after `after` when given.
pub async fn list(db: &PgPool, after: Option<&str>, limit: i64) -> sqlx::Result<Vec<AdminUserRow>> {
    sqlx::query_as(
        "select * from admin_users where ($1::text is null or username > $1)
         order by username limit $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Changes role and active flag. A change of either raises the session epoch, which ends
/// every session of that user.
pub async fn update_access(
    tx: &mut Tx<'_>,
    id: Uuid,
    role: Role,
    active: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<AdminUserRow> {
    sqlx::query_as(
        "update admin_users set role = $2, active = $3, updated_at = $4,
            session_epoch = session_epoch
                + case when role <> $2 or active <> $3 then 1 else 0 end
         where id = $1 returning *",
    )
    .bind(id)
    .bind(role.as_str())
    .bind(active)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// Sets a new password hash and ends the user's sessions.
pub async fn set_password(
    tx: &mut Tx<'_>,
    id: Uuid,
    password_hash: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<AdminUserRow> {
    sqlx::query_as(
        "update admin_users set password_hash = $2, updated_at = $3,
            session_epoch = session_epoch + 1
         where id = $1 returning *",
    )
    .bind(id)
    .bind(password_hash)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

pub async fn delete(tx: &mut Tx<'_>, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("delete from admin_users where id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stores a new, unconfirmed authenticator secret.
pub async fn set_pending_totp(db: &PgPool, id: Uuid, encrypted: &str) -> sqlx::Result<()> {
    sqlx::query("update admin_users set totp_pending_secret = $2 where id = $1")
        .bind(id)
        .bind(encrypted)
        .execute(db)
        .await?;
    Ok(())
}

/// Turns two-factor sign-in on with the confirmed secret and replaces the recovery codes.
pub async fn enable_totp(
    tx: &mut Tx<'_>,
    id: Uuid,
    encrypted: &str,
    counter: i64,
    recovery_hashes: &[Vec<u8>],
) -> sqlx::Result<()> {
    sqlx::query(
        "update admin_users set totp_secret = $2, totp_pending_secret = null,
            totp_last_counter = $3 where id = $1",
    )
    .bind(id)
    .bind(encrypted)
    .bind(counter)
    .execute(&mut **tx)
    .await?;
    sqlx::query("delete from admin_recovery_codes where user_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for hash in recovery_hashes {
        sqlx::query("insert into admin_recovery_codes (user_id, code_hash) values ($1, $2)")
            .bind(id)
            .bind(hash)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub async fn disable_totp(tx: &mut Tx<'_>, id: Uuid) -> sqlx::Result<()> {
    sqlx::query(
        "update admin_users set totp_secret = null, totp_pending_secret = null,
            totp_last_counter = 0 where id = $1",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("delete from admin_recovery_codes where user_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records a used time step if it is newer than the last one; false means the code was
/// already used (or an older one), which is refused.
pub async fn advance_totp_counter(db: &PgPool, id: Uuid, counter: i64) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "update admin_users set totp_last_counter = $2 where id = $1 and totp_last_counter < $2",
    )
    .bind(id)
    .bind(counter)
    .execute(db)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Uses up a recovery code; false when it does not exist or was used.
pub async fn use_recovery_code(
    db: &PgPool,
    id: Uuid,
    hash: &[u8],
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "update admin_recovery_codes set used_at = $3
         where user_id = $1 and code_hash = $2 and used_at is null",
    )
    .bind(id)
    .bind(hash)
    .bind(now)
    .execute(db)
    .await?;
    Ok(updated.rows_affected() == 1)
}
