use super::Tx;
use chrono::{DateTime, Utc};
use shared::admin_users::AccessScope;
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
    pub email: Option<String>,
    pub scope_definitions: Vec<Uuid>,
    pub scope_categories: Vec<String>,
    pub password_changed_at: DateTime<Utc>,
}

/// The fields of an account a superadmin edits besides the password.
pub struct AccessFields<'a> {
    pub role: Role,
    pub active: bool,
    pub email: Option<&'a str>,
    pub scope: &'a AccessScope,
}

impl AdminUserRow {
    pub fn dto(&self) -> shared::admin_users::AdminUser {
        shared::admin_users::AdminUser {
            id: self.id,
            username: self.username.clone(),
            email: self.email.clone(),
            role: self.role(),
            scope: self.scope(),
            active: self.active,
            totp_enabled: self.totp_secret.is_some(),
            password_changed_at: self.password_changed_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    pub fn role(&self) -> Role {
        // The column's check constraint admits only known roles; fall back to the least
        // privileged one rather than fail if that ever changes.
        Role::parse(&self.role).unwrap_or(Role::Helpdesk)
    }

    pub fn scope(&self) -> AccessScope {
        AccessScope {
            definitions: self.scope_definitions.clone(),
            categories: self.scope_categories.clone(),
        }
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
    access: &AccessFields<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<AdminUserRow> {
    sqlx::query_as(
        "insert into admin_users (id, username, password_hash, role, active, email,
            scope_definitions, scope_categories, password_changed_at, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9) returning *",
    )
    .bind(Uuid::now_v7())
    .bind(username)
    .bind(password_hash)
    .bind(access.role.as_str())
    .bind(access.active)
    .bind(access.email)
    .bind(&access.scope.definitions)
    .bind(&access.scope.categories)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// Lists the other active accounts sharing `email`, for the conflicting-role rules.
pub async fn active_with_email(
    tx: &mut Tx<'_>,
    email: &str,
    except: Option<Uuid>,
) -> sqlx::Result<Vec<AdminUserRow>> {
    sqlx::query_as(
        "select * from admin_users
         where lower(email) = lower($1) and active and ($2::uuid is null or id <> $2)
         order by username",
    )
    .bind(email)
    .bind(except)
    .fetch_all(&mut **tx)
    .await
}

/// Lists every active account with a mail address, for checking new conflicting-role rules.
pub async fn active_with_any_email(tx: &mut Tx<'_>) -> sqlx::Result<Vec<AdminUserRow>> {
    sqlx::query_as(
        "select * from admin_users where active and email is not null order by lower(email), username",
    )
    .fetch_all(&mut **tx)
    .await
}

/// Serializes changes that the conflicting-role rules depend on (accounts' roles and mail
/// addresses, and the rules themselves) until the transaction ends.
pub async fn lock_role_rules(tx: &mut Tx<'_>) -> sqlx::Result<()> {
    sqlx::query("select pg_advisory_xact_lock(7349001)")
        .execute(&mut **tx)
        .await?;
    Ok(())
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

/// Changes role, active flag, mail address and scope. A change of role, active flag or scope
/// raises the session epoch, which ends every session of that user.
pub async fn update_access(
    tx: &mut Tx<'_>,
    id: Uuid,
    access: &AccessFields<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<AdminUserRow> {
    sqlx::query_as(
        "update admin_users set role = $2, active = $3, email = $4, scope_definitions = $5,
            scope_categories = $6, updated_at = $7,
            session_epoch = session_epoch
                + case when role <> $2 or active <> $3 or scope_definitions <> $5
                    or scope_categories <> $6 then 1 else 0 end
         where id = $1 returning *",
    )
    .bind(id)
    .bind(access.role.as_str())
    .bind(access.active)
    .bind(access.email)
    .bind(&access.scope.definitions)
    .bind(&access.scope.categories)
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
        "update admin_users set password_hash = $2, updated_at = $3, password_changed_at = $3,
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
