//! The values each kind of template can insert, with their descriptions and sample values for
//! the preview. The field names of the value structs are the placeholder names.

use serde::Serialize;
use shared::mail_templates::{MailTemplateKind, Placeholder};

/// The values about the order that every kind of template can insert.
#[derive(Debug, Clone, Serialize)]
pub struct OrderValues {
    pub requester_name: String,
    pub requester_email: String,
    pub deputy_name: String,
    pub deputy_email: String,
    pub asset: String,
    pub request: String,
    pub duration_days: i32,
    pub monthly_cost: String,
    pub justification: String,
}

/// The values of an approval request or reminder.
#[derive(Debug, Clone, Serialize)]
pub struct ApprovalValues {
    pub approver_name: String,
    pub note: String,
    pub reminder_number: i32,
    pub approve_url: String,
    pub decline_url: String,
    pub portal_url: String,
    pub link_expires: String,
    #[serde(flatten)]
    pub order: OrderValues,
}

/// The values of the notice to an escalation contact.
#[derive(Debug, Clone, Serialize)]
pub struct EscalationValues {
    pub contact_name: String,
    pub original_approver: String,
    pub waiting_since: String,
    pub reminders_sent: i32,
    pub order_url: String,
    pub portal_url: String,
    #[serde(flatten)]
    pub order: OrderValues,
}

const REQUESTER: [(&str, &str); 9] = [
    ("requester_name", "Name of the person who gets the access"),
    (
        "requester_email",
        "Mail address of the person who gets the access",
    ),
    (
        "deputy_name",
        "Name of the colleague who placed the order or asked for the change on the \
         requester's behalf; empty when the requester did it",
    ),
    (
        "deputy_email",
        "Mail address of that colleague; empty when there is none",
    ),
    ("asset", "Name of the asset definition, such as Laptop"),
    (
        "request",
        "What is requested, such as \"Laptop for 30 days\" or \"an extension by 5 days of \
         Laptop\"",
    ),
    ("duration_days", "Days of access the order asks for"),
    (
        "monthly_cost",
        "Monthly cost with its currency, such as 45.00 EUR; empty when the definition has none",
    ),
    (
        "justification",
        "The requester's reason for the order; empty when none was given",
    ),
];

const APPROVAL: [(&str, &str); 7] = [
    ("approver_name", "Name of the approver the message goes to"),
    (
        "note",
        "Why this approver is asked, such as a delegation or an escalation; empty when they \
         are asked directly",
    ),
    (
        "reminder_number",
        "Which reminder this is: 1 for the first; 0 in a request",
    ),
    (
        "approve_url",
        "Signed link to the page that approves; it works once",
    ),
    (
        "decline_url",
        "Signed link to the page that declines; it works once",
    ),
    (
        "portal_url",
        "The approvals inbox in the portal, /portal/approvals",
    ),
    ("link_expires", "When the two links expire, in UTC"),
];

const ESCALATION: [(&str, &str); 6] = [
    (
        "contact_name",
        "Name of the escalation contact the notice goes to",
    ),
    (
        "original_approver",
        "Name and mail address of the approver who has not decided",
    ),
    ("waiting_since", "When the approval was created, in UTC"),
    ("reminders_sent", "How many reminders the approver got"),
    ("order_url", "The order's page in the admin app"),
    (
        "portal_url",
        "The approvals inbox in the portal, /portal/approvals",
    ),
];

/// Lists the placeholders of a kind of template.
pub fn placeholders(kind: MailTemplateKind) -> Vec<Placeholder> {
    let own: &[(&str, &str)] = match kind {
        MailTemplateKind::ApprovalRequest | MailTemplateKind::ApprovalReminder => &APPROVAL,
        MailTemplateKind::EscalationNotice => &ESCALATION,
    };
    own.iter()
        .chain(REQUESTER.iter())
        .map(|(name, description)| Placeholder {
            name: (*name).to_string(),
            description: (*description).to_string(),
        })
        .collect()
}

/// Sample values with every optional value filled in, so a preview and the check on save run
/// through every branch of a template that tests them.
pub fn sample(kind: MailTemplateKind) -> serde_json::Value {
    let link = "https://ipsolis.example.com/portal/decide#sample-link";
    let reminder_number = match kind {
        MailTemplateKind::ApprovalReminder => 1,
        _ => 0,
    };
    let order = OrderValues {
        requester_name: "Jane Doe".into(),
        requester_email: "jdoe@example.com".into(),
        deputy_name: "Bo Chen".into(),
        deputy_email: "bchen@example.com".into(),
        asset: "Laptop".into(),
        request: "Laptop for 30 days".into(),
        duration_days: 30,
        monthly_cost: "45.00 EUR".into(),
        justification: "Quarter close needs the ledger & the <reports>".into(),
    };
    let portal_url = "https://ipsolis.example.com/portal/approvals".to_string();
    let value = match kind {
        MailTemplateKind::ApprovalRequest | MailTemplateKind::ApprovalReminder => {
            serde_json::to_value(ApprovalValues {
                approver_name: "Mary Finch".into(),
                note: "Asked in place of Tom Ode, who is away until 2026-12-24".into(),
                reminder_number,
                approve_url: format!("{link}-approve"),
                decline_url: format!("{link}-decline"),
                portal_url,
                link_expires: "2026-12-19 09:30 UTC".into(),
                order,
            })
        }
        MailTemplateKind::EscalationNotice => serde_json::to_value(EscalationValues {
            contact_name: "Paula Lead".into(),
            original_approver: "Mary Finch <mfinch@example.com>".into(),
            waiting_since: "2026-12-01 09:30 UTC".into(),
            reminders_sent: 3,
            order_url: "https://ipsolis.example.com/ui/orders/0193a5c0-0000-7000-8000-000000000001"
                .into(),
            portal_url,
            order,
        }),
    };
    value.expect("sample values serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn placeholders_match_the_values() {
        for kind in MailTemplateKind::ALL {
            let listed: BTreeSet<String> = placeholders(kind).into_iter().map(|p| p.name).collect();
            let sample = sample(kind);
            let fields: BTreeSet<String> = sample.as_object().unwrap().keys().cloned().collect();
            assert_eq!(listed, fields, "{kind:?}");
        }
    }
}
