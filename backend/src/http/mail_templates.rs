//! The texts of the approval e-mails: list, save, reset to the default and preview.

use super::ApiJson;
use crate::auth::admin::{Admin, perm};
use crate::error::{ApiError, ApiResult};
use crate::mail_templates::{self, render, values};
use crate::state::AppState;
use crate::store::{self, audit::Change, mail_templates::MailTemplateRow};
use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};
use shared::mail_templates::{MailPreview, MailTemplate, MailTemplateInput, MailTemplateKind};

fn kind(name: &str) -> ApiResult<MailTemplateKind> {
    MailTemplateKind::parse(name).ok_or_else(|| {
        ApiError::NotFound(format!(
            "There is no mail template {name:?}; the kinds are approval_request, \
             approval_reminder and escalation_notice."
        ))
    })
}

/// Checks sizes first, then syntax and placeholders, naming the field at fault.
fn check(kind: MailTemplateKind, input: &MailTemplateInput) -> ApiResult<()> {
    ApiError::check(input.validate())?;
    ApiError::check(mail_templates::check(kind, input))
}

fn audited(row: &MailTemplateRow) -> Value {
    json!({ "subject": row.subject, "text": row.text_body, "html": row.html_body })
}

/// Lists every kind of template with its current text, whether an admin changed it, and the
/// placeholders it can use.
#[utoipa::path(get, path = "/api/v1/mail-templates", tag = "settings",
    responses((status = 200, body = Vec<MailTemplate>)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<Vec<MailTemplate>>> {
    let saved = store::mail_templates::all(&state.db).await?;
    let templates = MailTemplateKind::ALL
        .into_iter()
        .map(|kind| {
            let row = saved.iter().find(|row| row.kind == kind.as_str());
            mail_templates::view(kind, row)
        })
        .collect();
    Ok(Json(templates))
}

/// Saves a template. Messages sent from then on use it.
#[utoipa::path(put, path = "/api/v1/mail-templates/{kind}", tag = "settings",
    params(("kind" = MailTemplateKind, Path, description = "Which message the template writes")),
    request_body = MailTemplateInput,
    responses(
        (status = 200, body = MailTemplate),
        (status = 404, body = shared::Problem),
        (status = 422, body = shared::Problem,
            description = "A field is empty or too long, has a syntax error or names an \
                unknown placeholder; `errors` names the field and the line"),
    ),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn save(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    Path(name): Path<String>,
    ApiJson(input): ApiJson<MailTemplateInput>,
) -> ApiResult<Json<MailTemplate>> {
    let kind = kind(&name)?;
    check(kind, &input)?;
    let now = state.clock.now();

    let mut tx = state.db.begin().await?;
    let before = store::mail_templates::find_for_update(&mut tx, kind).await?;
    let saved =
        store::mail_templates::put(&mut tx, kind, &input, now, admin.actor.as_str()).await?;
    let change = Change {
        action: "mail_template.update",
        entity_type: "mail_template",
        entity_id: kind.as_str().to_string(),
        before: before.as_ref().map(audited),
        after: Some(audited(&saved)),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;

    tracing::info!(kind = kind.as_str(), actor = %admin.actor, "mail template saved");
    Ok(Json(mail_templates::view(kind, Some(&saved))))
}

/// Deletes the saved template, so messages use the built-in default again. Returns the default.
#[utoipa::path(delete, path = "/api/v1/mail-templates/{kind}", tag = "settings",
    params(("kind" = MailTemplateKind, Path, description = "Which message the template writes")),
    responses((status = 200, body = MailTemplate), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn reset(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    Path(name): Path<String>,
) -> ApiResult<Json<MailTemplate>> {
    let kind = kind(&name)?;
    let now = state.clock.now();

    let mut tx = state.db.begin().await?;
    let before = store::mail_templates::find_for_update(&mut tx, kind).await?;
    if let Some(before) = &before {
        store::mail_templates::delete(&mut tx, kind).await?;
        let change = Change {
            action: "mail_template.reset",
            entity_type: "mail_template",
            entity_id: kind.as_str().to_string(),
            before: Some(audited(before)),
            after: None,
        };
        store::audit::record(&mut tx, &admin.actor, now, change).await?;
    }
    tx.commit().await?;

    if before.is_some() {
        tracing::info!(kind = kind.as_str(), actor = %admin.actor, "mail template reset");
    }
    Ok(Json(mail_templates::view(kind, None)))
}

/// Renders a template, saved or not, with sample values, saving nothing.
#[utoipa::path(post, path = "/api/v1/mail-templates/{kind}/preview", tag = "settings",
    params(("kind" = MailTemplateKind, Path, description = "Which message the template writes")),
    request_body = MailTemplateInput,
    responses(
        (status = 200, body = MailPreview),
        (status = 404, body = shared::Problem),
        (status = 422, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn preview(
    _admin: Admin<perm::SettingsRead>,
    Path(name): Path<String>,
    ApiJson(input): ApiJson<MailTemplateInput>,
) -> ApiResult<Json<MailPreview>> {
    let kind = kind(&name)?;
    check(kind, &input)?;
    let rendered = render::render(&input, &values::sample(kind))
        .map_err(|error| ApiError::Validation(vec![error.into()]))?;
    Ok(Json(rendered))
}
