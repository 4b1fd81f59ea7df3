//! Saved mail templates, one row per kind that an admin changed.

use super::Tx;
use chrono::{DateTime, Utc};
use shared::mail_templates::{MailTemplateInput, MailTemplateKind};
use sqlx::{FromRow, PgPool};

#[derive(Debug, Clone, FromRow)]
pub struct MailTemplateRow {
    pub kind: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

impl MailTemplateRow {
    pub fn input(&self) -> MailTemplateInput {
        MailTemplateInput {
            subject: self.subject.clone(),
            text: self.text_body.clone(),
            html: self.html_body.clone(),
        }
    }
}

pub async fn find(db: &PgPool, kind: MailTemplateKind) -> sqlx::Result<Option<MailTemplateRow>> {
    sqlx::query_as("select * from mail_templates where kind = $1")
        .bind(kind.as_str())
        .fetch_optional(db)
        .await
}

pub async fn all(db: &PgPool) -> sqlx::Result<Vec<MailTemplateRow>> {
    sqlx::query_as("select * from mail_templates order by kind")
        .fetch_all(db)
        .await
}

/// Reads a saved template and locks its row, so concurrent saves of one kind serialize.
pub async fn find_for_update(
    tx: &mut Tx<'_>,
    kind: MailTemplateKind,
) -> sqlx::Result<Option<MailTemplateRow>> {
    sqlx::query_as("select * from mail_templates where kind = $1 for update")
        .bind(kind.as_str())
        .fetch_optional(&mut **tx)
        .await
}

pub async fn put(
    tx: &mut Tx<'_>,
    kind: MailTemplateKind,
    template: &MailTemplateInput,
    now: DateTime<Utc>,
    updated_by: &str,
) -> sqlx::Result<MailTemplateRow> {
    sqlx::query_as(
        "insert into mail_templates (kind, subject, text_body, html_body, updated_at, updated_by)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (kind) do update
         set subject = excluded.subject, text_body = excluded.text_body,
             html_body = excluded.html_body, updated_at = excluded.updated_at,
             updated_by = excluded.updated_by
         returning *",
    )
    .bind(kind.as_str())
    .bind(&template.subject)
    .bind(&template.text)
    .bind(&template.html)
    .bind(now)
    .bind(updated_by)
    .fetch_one(&mut **tx)
    .await
}

/// Deletes a saved template; returns whether one existed.
pub async fn delete(tx: &mut Tx<'_>, kind: MailTemplateKind) -> sqlx::Result<bool> {
    let deleted = sqlx::query("delete from mail_templates where kind = $1")
        .bind(kind.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(deleted.rows_affected() == 1)
}
