//! Editable texts of the e-mails to approvers and escalation contacts. Each template has a
//! subject, a plain-text body and an HTML body written in Jinja syntax (`{{ asset }}`); the
//! server renders HTML with every value escaped and rejects a placeholder it does not know.

use crate::FieldError;
use serde::{Deserialize, Serialize};

/// Maximum characters of a subject template.
pub const SUBJECT_MAX_CHARS: usize = 500;
/// Maximum characters of a text or HTML body template.
pub const BODY_MAX_CHARS: usize = 50_000;

/// Which message a template writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MailTemplateKind {
    /// Asks an approver to decide on a new approval.
    ApprovalRequest,
    /// Reminds an approver of an approval still open after the reminder interval.
    ApprovalReminder,
    /// Tells an escalation contact that an approver has not decided after every reminder.
    EscalationNotice,
}

impl MailTemplateKind {
    pub const ALL: [MailTemplateKind; 3] = [
        MailTemplateKind::ApprovalRequest,
        MailTemplateKind::ApprovalReminder,
        MailTemplateKind::EscalationNotice,
    ];

    /// The wire name, as in URLs and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            MailTemplateKind::ApprovalRequest => "approval_request",
            MailTemplateKind::ApprovalReminder => "approval_reminder",
            MailTemplateKind::EscalationNotice => "escalation_notice",
        }
    }

    pub fn parse(name: &str) -> Option<MailTemplateKind> {
        MailTemplateKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }

    /// A name to show in the admin app.
    pub fn label(self) -> &'static str {
        match self {
            MailTemplateKind::ApprovalRequest => "Approval request",
            MailTemplateKind::ApprovalReminder => "Approval reminder",
            MailTemplateKind::EscalationNotice => "Escalation notice",
        }
    }
}

/// A value a template can insert, such as `asset`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Placeholder {
    pub name: String,
    pub description: String,
}

/// A template as the API returns it: the saved text, or the built-in default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailTemplate {
    pub kind: MailTemplateKind,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Whether an admin saved this text; false while the built-in default is in use.
    pub customized: bool,
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_by: Option<String>,
    /// The values this kind of message can insert.
    pub placeholders: Vec<Placeholder>,
}

/// A template as a client sends it, to save or to preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MailTemplateInput {
    /// One line; line breaks in the rendered subject become spaces.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body. Every inserted value is HTML-escaped.
    pub html: String,
}

impl MailTemplateInput {
    /// Checks the sizes; the server also checks the syntax and the placeholders.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let fields = [
            ("subject", &self.subject, SUBJECT_MAX_CHARS),
            ("text", &self.text, BODY_MAX_CHARS),
            ("html", &self.html, BODY_MAX_CHARS),
        ];
        for (field, value, max) in fields {
            if value.trim().is_empty() {
                errors.push(FieldError::new(field, "is required"));
            } else if value.chars().count() > max {
                errors.push(FieldError::new(
                    field,
                    format!("must be at most {max} characters long"),
                ));
            }
        }
        errors
    }
}

/// A template rendered with sample values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailPreview {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_their_wire_names() {
        for kind in MailTemplateKind::ALL {
            let wire = serde_json::to_value(kind).unwrap();
            assert_eq!(wire, kind.as_str());
            assert_eq!(MailTemplateKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn validation_names_empty_and_long_fields() {
        let input = MailTemplateInput {
            subject: " ".into(),
            text: "x".repeat(BODY_MAX_CHARS + 1),
            html: "<p>ok</p>".into(),
        };
        let fields: Vec<String> = input.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["subject", "text"]);
    }
}
