use shared::mail_templates::{MailPreview, MailTemplate, MailTemplateInput, MailTemplateKind};

use super::AdminApi;
use crate::api::ApiError;

fn template_path(kind: MailTemplateKind) -> String {
    format!("/api/v1/mail-templates/{}", kind.as_str())
}

impl AdminApi {
    /// Lists every kind of mail template with its current text and placeholders.
    pub async fn mail_templates(self) -> Result<Vec<MailTemplate>, ApiError> {
        self.get("/api/v1/mail-templates").await
    }

    pub async fn save_mail_template(
        self,
        kind: MailTemplateKind,
        input: &MailTemplateInput,
    ) -> Result<MailTemplate, ApiError> {
        self.put(&template_path(kind), input).await
    }

    /// Deletes the saved text, so the built-in default applies again, and returns the default.
    pub async fn reset_mail_template(
        self,
        kind: MailTemplateKind,
    ) -> Result<MailTemplate, ApiError> {
        self.delete(&template_path(kind)).await
    }

    /// Renders an unsaved template with sample values.
    pub async fn preview_mail_template(
        self,
        kind: MailTemplateKind,
        input: &MailTemplateInput,
    ) -> Result<MailPreview, ApiError> {
        let url = format!("{}/preview", template_path(kind));
        self.post(&url, Some(input)).await
    }
}
