//! E-mails to approvers and requesters, and posts about approvals to chat channels, rendered
//! when the job runs so no link token is stored. Sending is at-least-once: a worker that dies
//! after the SMTP server (or the webhook) accepted a message but before the job was marked
//! done sends it again.

pub mod approvals;
pub mod chat;

use crate::integrations::mail::{Email, Mailer};
use crate::jobs::handlers::JobError;
use crate::jobs::{NewJob, Queue, queue};
use crate::settings::{self, SmtpConfig};
use crate::state::AppState;
use crate::store;
use crate::store::orders::OrderRow;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use approvals::{send_approval_request, send_escalation_notice};

/// Which news about an order the requester gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Update {
    Activated,
    Rejected,
    Returned,
    Expired,
    /// A reminder some days before the access expires.
    ExpiresSoon,
    ChangeApproved,
    ChangeDeclined,
    /// A deputy placed an order on the requester's behalf.
    PlacedForYou,
    /// The order was cancelled before it started.
    Cancelled,
}

/// The reason an approver receives a message about an approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ask {
    /// The approval was just created.
    #[default]
    Request,
    /// The approval is still open after the reminder interval.
    Reminder,
}

/// The payload of an approval message job.
#[derive(Debug, Serialize, Deserialize)]
pub struct ApprovalMessage {
    pub approval_id: Uuid,
    #[serde(default)]
    pub ask: Ask,
}

/// The payload of the notice to an escalation contact about an approval left open.
#[derive(Debug, Serialize, Deserialize)]
pub struct EscalationNotice {
    pub approval_id: Uuid,
    pub contact: shared::orders::Person,
}

/// Enqueues the messages that ask an approver to decide, in the transaction that created or
/// reminded the approval: the e-mail, and a post to each chat channel that is turned on. Each
/// is its own job, so a failing webhook never sends the e-mail again.
pub async fn ask_approver(
    tx: &mut crate::store::Tx<'_>,
    approval_id: Uuid,
    ask: Ask,
    now: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<()> {
    let payload =
        serde_json::to_value(ApprovalMessage { approval_id, ask }).expect("the payload serializes");
    let job = NewJob::new(
        Queue::Notifications,
        crate::jobs::handlers::MAIL_APPROVAL_REQUEST,
        payload,
    );
    queue::enqueue(tx, job, now).await?;
    let post = match ask {
        Ask::Request => chat::Post::Request,
        Ask::Reminder => chat::Post::Reminder,
    };
    chat::enqueue(tx, approval_id, post, now).await
}

/// Enqueues the notice to one escalation contact.
pub async fn notify_escalation(
    tx: &mut crate::store::Tx<'_>,
    notice: &EscalationNotice,
    now: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<()> {
    let payload = serde_json::to_value(notice).expect("the payload serializes");
    let job = NewJob::new(
        Queue::Notifications,
        crate::jobs::handlers::MAIL_ESCALATION_NOTICE,
        payload,
    );
    queue::enqueue(tx, job, now).await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct OrderUpdate {
    pub order_id: Uuid,
    pub update: Update,
    /// The person who caused the update, for the updates that name them.
    #[serde(default)]
    pub by: Option<String>,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

async fn mailer(state: &AppState) -> Result<Mailer, JobError> {
    let config = settings::load_cached::<SmtpConfig>(state)
        .await
        .map_err(|e| JobError::Retry(anyhow::anyhow!("{e}")))?
        .ok_or_else(|| JobError::Retry(anyhow::anyhow!("e-mail (SMTP) is not configured")))?;
    Mailer::new(config).map_err(|e| JobError::Retry(e.into()))
}

pub async fn send(state: &AppState, email: Email) -> Result<(), JobError> {
    let mailer = mailer(state).await?;
    mailer
        .send(&email)
        .await
        .map_err(|e| JobError::Retry(e.into()))?;
    tracing::info!(subject = %email.subject, "e-mail sent");
    Ok(())
}

fn order_url(state: &AppState, order_id: Uuid) -> String {
    let mut url = state.config.public_url.clone();
    url.set_path(&format!("/portal/orders/{order_id}"));
    url.to_string()
}

fn day(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map_or_else(|| "-".into(), |at| at.format("%Y-%m-%d").to_string())
}

pub(crate) fn date(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map_or_else(
        || "-".into(),
        |at| at.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

/// Names who asked for the latest change, for a mail to the requester.
fn change_asker(order: &OrderRow) -> String {
    match order.change_asked_by_deputy() {
        Some(name) => format!("{name} asked for"),
        None => "you asked for".to_string(),
    }
}

fn update_text(order: &OrderRow, update: Update, by: Option<&str>) -> (String, String) {
    let asset = &order.definition_name;
    match update {
        Update::Activated => (
            format!("Access granted: {asset}"),
            format!(
                "Your order for {asset} was approved and your access is active until {}.",
                date(order.expires_at)
            ),
        ),
        Update::Rejected => (
            format!("Request declined: {asset}"),
            format!("Your order for {asset} was declined. Ask your manager for the reason."),
        ),
        Update::Returned => (
            format!("Access returned: {asset}"),
            format!("{asset} was returned before it expired; the access has been removed."),
        ),
        Update::ExpiresSoon => (
            format!("Access expiring on {}: {asset}", day(order.expires_at)),
            format!(
                "Your access to {asset} expires on {}. Extend it from the portal if the \
                 definition allows, or return it when you no longer need it.",
                date(order.expires_at)
            ),
        ),
        Update::ChangeApproved => (
            format!("Change approved: {asset}"),
            format!(
                "The change {} on {asset} was approved. Your access now runs until {}.",
                change_asker(order),
                date(order.expires_at)
            ),
        ),
        Update::ChangeDeclined => (
            format!("Change declined: {asset}"),
            format!(
                "The change {} on {asset} was declined; your access stays as it was, until {}.",
                change_asker(order),
                date(order.expires_at)
            ),
        ),
        Update::Cancelled => (
            format!("Order cancelled: {asset}"),
            format!(
                "The order for {asset} was cancelled before it started{}.",
                by.map(|name| format!(" by {name}")).unwrap_or_default()
            ),
        ),
        Update::PlacedForYou => (
            format!("Ordered for you: {asset}"),
            format!(
                "{} ordered {asset} for you. You can follow the order, return or cancel it in \
                 the portal; you get an e-mail at each step.",
                order.placed_by_name.as_deref().unwrap_or("A colleague")
            ),
        ),
        Update::Expired => (
            format!("Access expired: {asset}"),
            format!(
                "Your access to {asset} expired on {} and has been removed. Order it again \
                 from the portal if you still need it.",
                date(order.expires_at)
            ),
        ),
    }
}

pub async fn send_order_update(state: &AppState, update: &OrderUpdate) -> Result<(), JobError> {
    let order = store::orders::find(&state.db, update.order_id)
        .await?
        .ok_or_else(|| {
            JobError::Permanent(anyhow::anyhow!("order {} does not exist", update.order_id))
        })?;
    if update.update == Update::ExpiresSoon && order.state() != shared::orders::OrderState::Active {
        tracing::info!(order_id = %order.id, "access no longer active; no reminder sent");
        return Ok(());
    }
    let (subject, body) = update_text(&order, update.update, update.by.as_deref());
    let url = order_url(state, order.id);
    // The deputy who placed the order reads along, except the notice meant for the requester.
    let cc = order
        .placed_by_email
        .clone()
        .filter(|_| update.update != Update::PlacedForYou);
    let copy_note = match order.deputy() {
        Some(deputy) if cc.is_some() => format!(
            "{} placed this order on your behalf and receives a copy.",
            deputy.display_name
        ),
        _ => String::new(),
    };
    let text = format!(
        "Hello {},\n\n{body}\n\n{copy_note}{}Details: {url}\n",
        order.requester_name,
        if copy_note.is_empty() { "" } else { "\n\n" }
    );
    let html = format!(
        "<p>Hello {},</p><p>{}</p><p>{}</p><p><a href=\"{}\">Open the order</a></p>",
        escape_html(&order.requester_name),
        escape_html(&body),
        escape_html(&copy_note),
        escape_html(&url)
    );
    send(
        state,
        Email {
            to: order.requester_email.clone(),
            cc,
            subject,
            text,
            html,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape_html(r#"<a href="x">O'Brien & co</a>"#),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;"
        );
    }
}
