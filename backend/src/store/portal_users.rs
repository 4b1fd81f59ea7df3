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

impl PortalUserRow {
    /// Returns the user as named on orders.
    pub fn person(&self) -> shared::orders::Person {
        shared::orders::Person {
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            directory_dn: self.directory_dn.clone(),
        }
    }
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

/// The issuer of portal users created from the directory for someone who has not signed in
/// yet, such as the requester of a deputy order. Their subject is their lower-cased DN.
pub const DIRECTORY_ISSUER: &str = "directory";

/// Returns the portal user with this directory entry, creating one keyed by the directory when
/// the person has never signed in. Someone who signed in through several providers gets the
/// one of their latest sign-in.
pub async fn for_directory_person(
    tx: &mut super::Tx<'_>,
    email: &str,
    display_name: &str,
    directory_dn: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<PortalUserRow> {
    let existing: Option<PortalUserRow> = sqlx::query_as(
        "select * from portal_users where lower(directory_dn) = lower($1)
         order by issuer = $2, last_sign_in_at desc limit 1",
    )
    .bind(directory_dn)
    .bind(DIRECTORY_ISSUER)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(row) = existing {
        return Ok(row);
    }
    sqlx::query_as(
        "insert into portal_users (id, issuer, subject, email, display_name, directory_dn,
            created_at, last_sign_in_at)
         values ($1, $2, lower($5), $3, $4, $5, $6, $6)
         on conflict (issuer, subject) do update set email = excluded.email
         returning *",
    )
    .bind(Uuid::now_v7())
    .bind(DIRECTORY_ISSUER)
    .bind(email)
    .bind(display_name)
    .bind(directory_dn)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// Creates or refreshes the portal user keyed by issuer and subject. A first sign-in takes
/// over the row created from the directory for the same person, with the orders others
/// placed for them.
pub async fn upsert(
    tx: &mut super::Tx<'_>,
    person: &SignIn<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<PortalUserRow> {
    let placeholder: Option<Uuid> = sqlx::query_scalar(
        "select id from portal_users where issuer = $1 and subject = lower($2) for update",
    )
    .bind(DIRECTORY_ISSUER)
    .bind(person.directory_dn)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(placeholder) = placeholder {
        let signed_in_before: Option<Uuid> =
            sqlx::query_scalar("select id from portal_users where issuer = $1 and subject = $2")
                .bind(person.issuer)
                .bind(person.subject)
                .fetch_optional(&mut **tx)
                .await?;
        match signed_in_before {
            None => {
                sqlx::query("update portal_users set issuer = $2, subject = $3 where id = $1")
                    .bind(placeholder)
                    .bind(person.issuer)
                    .bind(person.subject)
                    .execute(&mut **tx)
                    .await?;
            }
            Some(user_id) => {
                // Both exist only after a race between a first sign-in and a deputy order;
                // the orders move to the signed-in row.
                sqlx::query("update orders set requester_id = $2 where requester_id = $1")
                    .bind(placeholder)
                    .bind(user_id)
                    .execute(&mut **tx)
                    .await?;
                sqlx::query("delete from portal_users where id = $1")
                    .bind(placeholder)
                    .execute(&mut **tx)
                    .await?;
            }
        }
    }
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
