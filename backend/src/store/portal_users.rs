use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct PortalUserRow {
    pub id: Uuid,
    pub issuer: String,
    pub subject: String,
    pub email: String,
    pub display_name: String,
    pub directory_dn: String,
}

pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<PortalUserRow>> {
    sqlx::query_as("select * from portal_users where id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The person a portal user signs in as, from the identity provider and the directory.
pub struct SignIn<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub directory_dn: &'a str,
}

/// Creates or refreshes the portal user keyed by issuer and subject.
pub async fn upsert(
    tx: &mut super::Tx<'_>,
    person: &SignIn<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<PortalUserRow> {
    sqlx::query_as(
        "insert into portal_users (id, issuer, subject, email, display_name, directory_dn,
            created_at, last_sign_in_at)
         values ($1, $2, $3, $4, $5, $6, $7, $7)
         on conflict (issuer, subject) do update
         set email = excluded.email, display_name = excluded.display_name,
             directory_dn = excluded.directory_dn, last_sign_in_at = excluded.last_sign_in_at
         returning *",
    )
    .bind(Uuid::now_v7())
    .bind(person.issuer)
    .bind(person.subject)
    .bind(person.email)
    .bind(person.display_name)
    .bind(person.directory_dn)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}
