use super::Tx;
use chrono::{DateTime, Utc};
use shared::approvals::Delegation;
use shared::orders::Person;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct DelegationRow {
    pub id: Uuid,
    pub person_name: String,
    pub person_email: String,
    pub person_dn: String,
    pub delegate_name: String,
    pub delegate_email: String,
    pub delegate_dn: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
}

impl DelegationRow {
    pub fn person(&self) -> Person {
        Person {
            display_name: self.person_name.clone(),
            email: self.person_email.clone(),
            directory_dn: self.person_dn.clone(),
        }
    }

    pub fn delegate(&self) -> Person {
        Person {
            display_name: self.delegate_name.clone(),
            email: self.delegate_email.clone(),
            directory_dn: self.delegate_dn.clone(),
        }
    }

    pub fn dto(&self) -> Delegation {
        Delegation {
            id: self.id,
            person: self.person(),
            delegate: self.delegate(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            note: self.note.clone(),
            created_by: self.created_by.clone(),
            created_at: self.created_at,
        }
    }
}

pub struct NewDelegationRow<'a> {
    pub person: &'a Person,
    pub delegate: &'a Person,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub note: &'a str,
    pub created_by: &'a str,
}

pub async fn insert(
    tx: &mut Tx<'_>,
    new: &NewDelegationRow<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<DelegationRow> {
    sqlx::query_as(
        "insert into delegations (id, person_name, person_email, person_dn, delegate_name,
            delegate_email, delegate_dn, starts_at, ends_at, note, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning *",
    )
    .bind(Uuid::now_v7())
    .bind(&new.person.display_name)
    .bind(&new.person.email)
    .bind(&new.person.directory_dn)
    .bind(&new.delegate.display_name)
    .bind(&new.delegate.email)
    .bind(&new.delegate.directory_dn)
    .bind(new.starts_at)
    .bind(new.ends_at)
    .bind(new.note.trim())
    .bind(new.created_by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// Lists windows not revoked that have not ended, of one person or of everyone, soonest first.
pub async fn current(
    db: &PgPool,
    person_email: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<DelegationRow>> {
    sqlx::query_as(
        "select * from delegations
         where revoked_at is null and ends_at > $1
            and ($2::text is null or lower(person_email) = lower($2))
         order by starts_at, id limit 500",
    )
    .bind(now)
    .bind(person_email)
    .fetch_all(db)
    .await
}

pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<DelegationRow>> {
    sqlx::query_as("select * from delegations where id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Revokes a window. Returns false when it was revoked already.
pub async fn revoke(tx: &mut Tx<'_>, id: Uuid, by: &str, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "update delegations set revoked_at = $2, revoked_by = $3
         where id = $1 and revoked_at is null",
    )
    .bind(id)
    .bind(now)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Returns the window covering `at` for the person with this mail address; the most recently
/// created when several overlap.
pub async fn active_for(
    db: &mut sqlx::PgConnection,
    person_email: &str,
    at: DateTime<Utc>,
) -> sqlx::Result<Option<DelegationRow>> {
    sqlx::query_as(
        "select * from delegations
         where revoked_at is null and lower(person_email) = lower($1)
            and starts_at <= $2 and ends_at > $2
         order by created_at desc, id desc limit 1",
    )
    .bind(person_email)
    .bind(at)
    .fetch_optional(db)
    .await
}
