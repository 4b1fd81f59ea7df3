//! The stored logo: one row of `branding_logo` at most.

use super::Tx;
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgPool};

/// The logo without its bytes.
#[derive(Debug, Clone, FromRow)]
pub struct LogoMeta {
    pub content_type: String,
    pub size_bytes: i32,
    pub sha256: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// The logo as served: the bytes are left out when the client already has this version.
#[derive(Debug, FromRow)]
pub struct LogoFile {
    pub content_type: String,
    pub sha256: String,
    pub bytes: Option<Vec<u8>>,
}

pub async fn meta(db: &PgPool) -> sqlx::Result<Option<LogoMeta>> {
    sqlx::query_as(
        "select content_type, octet_length(bytes) as size_bytes, sha256, updated_at, updated_by
         from branding_logo",
    )
    .fetch_optional(db)
    .await
}

/// Reads the logo, locking its row so that concurrent uploads and deletions serialize.
pub async fn meta_for_update(tx: &mut Tx<'_>) -> sqlx::Result<Option<LogoMeta>> {
    sqlx::query_as(
        "select content_type, octet_length(bytes) as size_bytes, sha256, updated_at, updated_by
         from branding_logo for update",
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Reads the logo for serving. The bytes stay in the database when their SHA-256 is one of
/// `known_sha256`, because the client then gets a 304 without them.
pub async fn file(db: &PgPool, known_sha256: &[String]) -> sqlx::Result<Option<LogoFile>> {
    sqlx::query_as(
        "select content_type, sha256,
                case when sha256 = any($1) then null else bytes end as bytes
         from branding_logo",
    )
    .bind(known_sha256)
    .fetch_optional(db)
    .await
}

pub async fn put(
    tx: &mut Tx<'_>,
    content_type: &str,
    bytes: &[u8],
    sha256: &str,
    now: DateTime<Utc>,
    updated_by: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into branding_logo (singleton, content_type, bytes, sha256, updated_at, updated_by)
         values (true, $1, $2, $3, $4, $5)
         on conflict (singleton) do update
         set content_type = excluded.content_type, bytes = excluded.bytes,
             sha256 = excluded.sha256, updated_at = excluded.updated_at,
             updated_by = excluded.updated_by",
    )
    .bind(content_type)
    .bind(bytes)
    .bind(sha256)
    .bind(now)
    .bind(updated_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx<'_>) -> sqlx::Result<()> {
    sqlx::query("delete from branding_logo")
        .execute(&mut **tx)
        .await?;
    Ok(())
}
