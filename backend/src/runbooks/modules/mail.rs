//! Sending an e-mail from a runbook, through the configured SMTP server.

use super::{StepError, StepInput, StepOutput};
use crate::integrations::mail::{Email, Mailer};
use crate::settings::{self, SmtpConfig};
use serde_json::json;

pub async fn send(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let to = input.text("to")?;
    let subject = input.text("subject")?;
    let body = input.text("body")?;
    if !to.contains('@') || to.chars().any(char::is_whitespace) {
        return Err(StepError::fail(format!("{to:?} is not an e-mail address")));
    }
    let config = settings::load_cached::<SmtpConfig>(input.state)
        .await
        .map_err(StepError::retry)?
        .ok_or_else(|| StepError::retry("e-mail (SMTP) is not configured"))?;
    let mailer = Mailer::new(config).map_err(StepError::fail)?;
    let html = format!(
        "<pre style=\"font-family: inherit; white-space: pre-wrap\">{}</pre>",
        crate::notifications::escape_html(&body)
    );
    let email = Email {
        to: to.clone(),
        cc: None,
        subject: subject.clone(),
        text: body,
        html,
    };
    mailer.send(&email).await.map_err(StepError::retry)?;
    input.journal.info(format!("sent {subject:?} to {to}"));
    Ok(StepOutput::new(
        json!({}),
        json!({ "accepted_by_smtp": true, "to": to }),
    ))
}
