//! The messages about an open approval to its approver and to escalation contacts, by e-mail
//! (through the mail templates) and in chat channels.

use super::{date, send};
use crate::auth::links::ApprovalLink;
use crate::integrations::mail::Email;
use crate::jobs::handlers::JobError;
use crate::mail_templates::{
    self,
    values::{ApprovalValues, EscalationValues, OrderValues},
};
use crate::state::AppState;
use crate::store;
use crate::store::approvals::ApprovalRow;
use crate::store::orders::OrderRow;
use shared::mail_templates::MailTemplateKind;
use shared::orders::{ApprovalPurpose, ApprovalState, Decision, PendingChange, Person};
use uuid::Uuid;

use super::{Ask, EscalationNotice};

/// An open approval with its order, read when a message about it is sent.
pub struct ApprovalFacts {
    pub approval: ApprovalRow,
    pub order: OrderRow,
    /// What is requested, such as "Laptop for 30 days" or "an extension by 5 days of Laptop".
    pub request: String,
    /// The colleague who placed the order, or asked for the change, on the requester's behalf.
    pub deputy: Option<Person>,
    /// The definition's monthly cost with its currency, such as `45.00 EUR`.
    pub monthly_cost: Option<String>,
}

/// The signed links that decide an approval.
pub struct DecisionLinks {
    pub approve_url: String,
    pub decline_url: String,
    /// When both links expire, in UTC.
    pub expires: String,
}

fn link_url(state: &AppState, token: &str) -> String {
    let mut url = state.config.public_url.clone();
    url.set_path("/portal/decide");
    url.set_fragment(Some(token));
    url.to_string()
}

/// Returns the address of a page of this installation.
pub fn page_url(state: &AppState, path: &str) -> String {
    let mut url = state.config.public_url.clone();
    url.set_path(path);
    url.to_string()
}

fn missing(what: &str, id: Uuid) -> JobError {
    JobError::Permanent(anyhow::anyhow!("{what} {id} does not exist"))
}

fn describe_request(order: &OrderRow, purpose: ApprovalPurpose) -> String {
    let asset = &order.definition_name;
    match (purpose, order.pending_change.as_ref().map(|c| &c.0)) {
        (ApprovalPurpose::Change, Some(PendingChange::Extend { days })) => {
            format!("an extension by {days} days of {asset}")
        }
        (ApprovalPurpose::Change, Some(PendingChange::Modify { attributes })) => {
            format!("a change of the details of {asset} to {attributes}")
        }
        (ApprovalPurpose::Change, None) => format!("a change of {asset}"),
        (ApprovalPurpose::Order, _) => format!("{asset} for {} days", order.duration_days),
    }
}

impl ApprovalFacts {
    /// Reads an approval and its order. Returns `None`, after logging why, when the approval
    /// is no longer pending, because then no message is needed.
    pub async fn load(state: &AppState, approval_id: Uuid) -> Result<Option<Self>, JobError> {
        let approval = store::approvals::find(&state.db, approval_id)
            .await?
            .ok_or_else(|| missing("approval", approval_id))?;
        if approval.state() != ApprovalState::Pending {
            tracing::info!(approval_id = %approval_id, "approval decided meanwhile; nothing sent");
            return Ok(None);
        }
        let order = store::orders::find(&state.db, approval.order_id)
            .await?
            .ok_or_else(|| missing("order", approval.order_id))?;
        let definition = store::definitions::find(&state.db, order.definition_id).await?;
        let monthly_cost = definition
            .and_then(|d| d.dto().monthly_cost)
            .map(|cost| cost.display());
        let deputy = match approval.purpose() {
            ApprovalPurpose::Order => order.deputy(),
            ApprovalPurpose::Change => order.change_asked_by_deputy().map(|name| Person {
                display_name: name.to_string(),
                email: order.change_asked_by_email.clone().unwrap_or_default(),
                directory_dn: String::new(),
            }),
        };
        Ok(Some(ApprovalFacts {
            request: describe_request(&order, approval.purpose()),
            approval,
            order,
            deputy,
            monthly_cost,
        }))
    }

    /// Signs a new pair of decision links for the approver.
    pub fn links(&self, state: &AppState) -> DecisionLinks {
        let now = state.clock.now();
        let email = &self.approval.approver_email;
        let approve = ApprovalLink::new(self.approval.id, email, Decision::Approve, now);
        let decline = ApprovalLink::new(self.approval.id, email, Decision::Decline, now);
        DecisionLinks {
            approve_url: link_url(state, &approve.sign(&state.keys)),
            decline_url: link_url(state, &decline.sign(&state.keys)),
            expires: date(Some(approve.expires_at())),
        }
    }

    pub fn requester(&self) -> String {
        format!(
            "{} <{}>",
            self.order.requester_name, self.order.requester_email
        )
    }

    pub fn approver(&self) -> String {
        format!(
            "{} <{}>",
            self.approval.approver_name, self.approval.approver_email
        )
    }

    /// When the approval was created, in UTC.
    pub fn waiting_since(&self) -> String {
        date(Some(self.approval.created_at))
    }

    fn order_values(&self) -> OrderValues {
        let order = &self.order;
        let deputy = |field: fn(&Person) -> &String| {
            self.deputy.as_ref().map(field).cloned().unwrap_or_default()
        };
        OrderValues {
            requester_name: order.requester_name.clone(),
            requester_email: order.requester_email.clone(),
            deputy_name: deputy(|p| &p.display_name),
            deputy_email: deputy(|p| &p.email),
            asset: order.definition_name.clone(),
            request: self.request.clone(),
            duration_days: order.duration_days,
            monthly_cost: self.monthly_cost.clone().unwrap_or_default(),
            justification: order.justification.clone().unwrap_or_default(),
        }
    }

    fn approval_values(&self, state: &AppState, links: DecisionLinks) -> ApprovalValues {
        ApprovalValues {
            approver_name: self.approval.approver_name.clone(),
            note: self.approval.note.clone().unwrap_or_default(),
            reminder_number: self.approval.reminders_sent,
            approve_url: links.approve_url,
            decline_url: links.decline_url,
            portal_url: page_url(state, "/portal/approvals"),
            link_expires: links.expires,
            order: self.order_values(),
        }
    }

    fn escalation_values(&self, state: &AppState, contact: &Person) -> EscalationValues {
        EscalationValues {
            contact_name: contact.display_name.clone(),
            original_approver: self.approver(),
            waiting_since: self.waiting_since(),
            reminders_sent: self.approval.reminders_sent,
            order_url: page_url(state, &format!("/ui/orders/{}", self.order.id)),
            portal_url: page_url(state, "/portal/approvals"),
            order: self.order_values(),
        }
    }
}

/// Mails an approver the request to decide, or a reminder, with the saved template or the
/// default.
pub async fn send_approval_request(
    state: &AppState,
    approval_id: Uuid,
    ask: Ask,
) -> Result<(), JobError> {
    let Some(facts) = ApprovalFacts::load(state, approval_id).await? else {
        return Ok(());
    };
    let kind = match ask {
        Ask::Request => MailTemplateKind::ApprovalRequest,
        Ask::Reminder => MailTemplateKind::ApprovalReminder,
    };
    let values = facts.approval_values(state, facts.links(state));
    let rendered = mail_templates::render_current(state, kind, &values).await?;
    let email = Email {
        to: facts.approval.approver_email.clone(),
        cc: None,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
    };
    send(state, email).await
}

/// Tells an escalation contact that an approval is still open after every reminder.
pub async fn send_escalation_notice(
    state: &AppState,
    notice: &EscalationNotice,
) -> Result<(), JobError> {
    let Some(facts) = ApprovalFacts::load(state, notice.approval_id).await? else {
        return Ok(());
    };
    let values = facts.escalation_values(state, &notice.contact);
    let kind = MailTemplateKind::EscalationNotice;
    let rendered = mail_templates::render_current(state, kind, &values).await?;
    let email = Email {
        to: notice.contact.email.clone(),
        cc: None,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
    };
    send(state, email).await
}
