use super::Tx;
use chrono::{DateTime, Utc};
use shared::permissions::Role;
use shared::tokens::{ApiToken, Scope};
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<String>,
    pub role: Option<String>,
    pub created_by: Uuid,
    pub creator_username: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub last_used_address: Option<String>,
}

impl TokenRow {
    pub fn scopes(&self) -> Vec<Scope> {
        self.scopes.iter().filter_map(|s| Scope::parse(s)).collect()
    }

    pub fn role(&self) -> Option<Role> {
        self.role.as_deref().and_then(Role::parse)
    }

    pub fn dto(&self) -> ApiToken {
        ApiToken {
            id: self.id,
            name: self.name.clone(),
            prefix: self.prefix.clone(),
            scopes: self.scopes(),
            role: self.role(),
            created_by: self.creator_username.clone(),
            created_at: self.created_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            last_used_at: self.last_used_at,
            last_used_address: self.last_used_address.clone(),
        }
    }
}

const SELECT: &str = "select t.*, a.username as creator_username
    from api_tokens t join admin_users a on a.id = t.created_by";

pub struct NewToken<'a> {
    pub name: &'a str,
    pub prefix: &'a str,
    pub hash: &'a [u8],
    pub scopes: Vec<String>,
    pub role: Option<Role>,
    pub created_by: Uuid,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(
    tx: &mut Tx<'_>,
    token: &NewToken<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "insert into api_tokens (id, name, prefix, token_hash, scopes, role, created_by,
            created_at, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(token.name)
    .bind(token.prefix)
    .bind(token.hash)
    .bind(&token.scopes)
    .bind(token.role.map(Role::as_str))
    .bind(token.created_by)
    .bind(now)
    .bind(token.expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<TokenRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} where t.id = $1")))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn find_by_hash(db: &PgPool, hash: &[u8]) -> sqlx::Result<Option<TokenRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} where t.token_hash = $1"
    )))
    .bind(hash)
    .fetch_optional(db)
    .await
}

/// Lists tokens, newest first; only those of `creator` unless it is `None`.
/// Lists tokens newest first, of one creator or of everyone, after the keyset position.
pub async fn list(
    db: &PgPool,
    creator: Option<Uuid>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<TokenRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} where ($1::uuid is null or t.created_by = $1)
           and ($2::timestamptz is null or (t.created_at, t.id) < ($2, $3))
         order by t.created_at desc, t.id desc limit $4"
    )))
    .bind(creator)
    .bind(after.map(|(at, _)| at))
    .bind(after.map(|(_, id)| id))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Records a use at most once a minute, so busy scripts do not write on every request.
pub async fn record_use(
    db: &PgPool,
    id: Uuid,
    address: Option<String>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update api_tokens set last_used_at = $2, last_used_address = $3
         where id = $1 and (last_used_at is null or last_used_at < $2 - interval '1 minute')",
    )
    .bind(id)
    .bind(now)
    .bind(address)
    .execute(db)
    .await?;
    Ok(())
}

/// Revokes a token; returns false when it was already revoked.
pub async fn revoke(tx: &mut Tx<'_>, id: Uuid, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let updated =
        sqlx::query("update api_tokens set revoked_at = $2 where id = $1 and revoked_at is null")
            .bind(id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    Ok(updated.rows_affected() == 1)
}

/// Deletes tokens revoked or expired before `cutoff`; returns how many.
pub async fn purge(db: &PgPool, cutoff: DateTime<Utc>) -> sqlx::Result<u64> {
    let deleted = sqlx::query(
        "delete from api_tokens where revoked_at < $1 or (revoked_at is null and expires_at < $1)",
    )
    .bind(cutoff)
    .execute(db)
    .await?;
    Ok(deleted.rows_affected())
}
