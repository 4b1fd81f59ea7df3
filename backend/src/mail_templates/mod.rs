//! Editable texts of the approval e-mails: the built-in defaults, the placeholders each kind
//! can insert, and rendering with the saved text or the default.

pub mod defaults;
pub mod render;
pub mod values;

use crate::jobs::handlers::JobError;
use crate::state::AppState;
use crate::store;
use crate::store::mail_templates::MailTemplateRow;
use serde::Serialize;
use shared::mail_templates::{MailPreview, MailTemplate, MailTemplateKind};

pub use render::{TemplateError, check};

/// Describes a kind's template as the API returns it: the saved row, or the default.
pub fn view(kind: MailTemplateKind, saved: Option<&MailTemplateRow>) -> MailTemplate {
    let current = saved.map_or_else(|| defaults::template(kind), MailTemplateRow::input);
    MailTemplate {
        kind,
        subject: current.subject,
        text: current.text,
        html: current.html,
        customized: saved.is_some(),
        updated_at: saved.map(|row| row.updated_at),
        updated_by: saved.map(|row| row.updated_by.clone()),
        placeholders: values::placeholders(kind),
    }
}

/// Renders a message with the saved template of its kind, or with the default when none is
/// saved. A saved template that fails with these values, such as a filter applied to an
/// unexpected value, is logged and the default is used, so the message still goes out.
pub async fn render_current(
    state: &AppState,
    kind: MailTemplateKind,
    values: &impl Serialize,
) -> Result<MailPreview, JobError> {
    if let Some(saved) = store::mail_templates::find(&state.db, kind).await? {
        match render::render(&saved.input(), values) {
            Ok(rendered) => return Ok(rendered),
            Err(error) => tracing::warn!(
                kind = kind.as_str(),
                %error,
                "the saved mail template failed; sending the built-in one"
            ),
        }
    }
    render::render(&defaults::template(kind), values)
        .map_err(|error| JobError::Permanent(anyhow::anyhow!("built-in mail template: {error}")))
}
