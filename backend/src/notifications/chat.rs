//! Posts about open approvals to the chat channels that are turned on: each request, each
//! reminder and each escalation notice, with the same decision links as the e-mail.

use super::approvals::{ApprovalFacts, page_url};
use crate::integrations::chat::{
    self, Button, ButtonStyle, CHANNELS, Channel, ChatError, ChatMessage, Fact,
};
use crate::jobs::handlers::JobError;
use crate::jobs::{NewJob, Queue, queue};
use crate::settings::{self, ChannelConfig};
use crate::state::AppState;
use crate::store::{self, Tx};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The event a post reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Post {
    /// An approval was created.
    Request,
    /// An approval is still open after the reminder interval.
    Reminder,
    /// An approval is still open after every reminder, and the escalation contacts were notified.
    Escalation,
}

/// The payload of a chat job.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChatPost {
    pub approval_id: Uuid,
    pub post: Post,
}

/// Enqueues a post to each channel that is turned on, in the caller's transaction.
pub async fn enqueue(
    tx: &mut Tx<'_>,
    approval_id: Uuid,
    post: Post,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let keys: Vec<&str> = CHANNELS.iter().map(|(key, _)| *key).collect();
    let enabled = store::settings::enabled_among(tx, &keys).await?;
    for (key, kind) in CHANNELS {
        if !enabled.iter().any(|k| k == key) {
            continue;
        }
        let payload =
            serde_json::to_value(ChatPost { approval_id, post }).expect("the payload serializes");
        queue::enqueue(tx, NewJob::new(Queue::Notifications, kind, payload), now).await?;
    }
    Ok(())
}

fn job_error(error: ChatError) -> JobError {
    let delay = error
        .retry_after()
        .and_then(|delay| chrono::Duration::from_std(delay).ok());
    if error.is_permanent() {
        return JobError::Permanent(error.into());
    }
    match delay {
        Some(delay) => JobError::RetryAfter {
            error: error.into(),
            delay,
        },
        None => JobError::Retry(error.into()),
    }
}

/// Runs a chat job: posts about the approval unless the channel was turned off or the approval
/// was decided meanwhile.
pub async fn post<C: Channel>(state: &AppState, job: &ChatPost) -> Result<(), JobError> {
    let config = settings::load_cached::<ChannelConfig<C>>(state)
        .await
        .map_err(|e| JobError::Retry(anyhow::anyhow!("{e}")))?;
    let Some(url) = config
        .filter(|config| config.enabled)
        .and_then(|config| config.webhook_url)
    else {
        tracing::info!(
            channel = C::KEY,
            "channel turned off meanwhile; nothing posted"
        );
        return Ok(());
    };
    let Some(facts) = ApprovalFacts::load(state, job.approval_id).await? else {
        return Ok(());
    };
    let message = message(state, &facts, job.post);
    chat::post::<C>(&url, &message).await.map_err(job_error)?;
    tracing::info!(channel = C::KEY, approval_id = %job.approval_id, post = ?job.post, "chat message posted");
    Ok(())
}

/// Describes an approval for a channel.
pub fn message(state: &AppState, facts: &ApprovalFacts, post: Post) -> ChatMessage {
    let order = &facts.order;
    let approval = &facts.approval;
    let (asset, requester) = (&order.definition_name, &order.requester_name);
    let title = match post {
        Post::Request => format!("Approval needed: {asset} for {requester}"),
        Post::Reminder => format!(
            "Reminder {}: approval needed: {asset} for {requester}",
            approval.reminders_sent
        ),
        Post::Escalation => format!("Approval overdue: {asset} for {requester}"),
    };
    let summary = match (post, &facts.deputy) {
        (Post::Escalation, _) => format!(
            "{} has not decided since {}, after {} reminder(s).",
            facts.approver(),
            facts.waiting_since(),
            approval.reminders_sent
        ),
        (_, Some(deputy)) => format!(
            "{} <{}> requests {} on behalf of {}.",
            deputy.display_name,
            deputy.email,
            facts.request,
            facts.requester()
        ),
        (_, None) => format!("{} requests {}.", facts.requester(), facts.request),
    };

    let mut facts_list = vec![Fact::new("Requester", facts.requester())];
    if let Some(deputy) = &facts.deputy {
        let value = format!("{} <{}>", deputy.display_name, deputy.email);
        facts_list.push(Fact::new("Deputy", value));
    }
    facts_list.push(Fact::new("Asset", asset.clone()));
    if facts.request != format!("{asset} for {} days", order.duration_days) {
        facts_list.push(Fact::new("Request", facts.request.clone()));
    }
    facts_list.push(Fact::new(
        "Duration",
        format!("{} days", order.duration_days),
    ));
    if let Some(cost) = &facts.monthly_cost {
        facts_list.push(Fact::new("Monthly cost", cost.clone()));
    }
    let justification = order.justification.as_deref().unwrap_or("(none given)");
    facts_list.push(Fact::long("Justification", justification));
    facts_list.push(Fact::new("Approver", facts.approver()));
    if post == Post::Escalation {
        facts_list.push(Fact::new("Waiting since", facts.waiting_since()));
    } else if let Some(note) = &approval.note {
        facts_list.push(Fact::long("Note", note.clone()));
    }

    let buttons = match post {
        Post::Escalation => vec![Button {
            label: "Open order",
            url: page_url(state, &format!("/ui/orders/{}", order.id)),
            style: ButtonStyle::Default,
        }],
        // Anyone who reads the channel can open these links and decide as the approver, as with
        // a forwarded e-mail, so the settings page asks for a channel only approvers read.
        Post::Request | Post::Reminder => {
            let links = facts.links(state);
            vec![
                Button {
                    label: "Approve",
                    url: links.approve_url,
                    style: ButtonStyle::Primary,
                },
                Button {
                    label: "Decline",
                    url: links.decline_url,
                    style: ButtonStyle::Danger,
                },
                Button {
                    label: "Open inbox",
                    url: page_url(state, "/portal/approvals"),
                    style: ButtonStyle::Default,
                },
            ]
        }
    };
    ChatMessage {
        title,
        summary,
        facts: facts_list,
        buttons,
    }
}

/// The message that the "send test message" button posts.
pub fn test_message(state: &AppState, channel: &str) -> ChatMessage {
    ChatMessage {
        title: "ip·Solis test message".into(),
        summary: format!(
            "ip·Solis can post to this {channel} channel. Approval requests, reminders and \
             escalation notices appear here once the channel is turned on and saved."
        ),
        facts: vec![Fact::new("Sent from", page_url(state, "/ui/settings"))],
        buttons: vec![Button {
            label: "Open inbox",
            url: page_url(state, "/portal/approvals"),
            style: ButtonStyle::Default,
        }],
    }
}
