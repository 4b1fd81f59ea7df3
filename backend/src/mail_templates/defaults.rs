//! The built-in texts, used for every kind an admin has not changed.

use shared::mail_templates::{MailTemplateInput, MailTemplateKind};

const APPROVAL_TEXT: &str = "\
Hello {{ approver_name }},

{% if deputy_name %}{{ deputy_name }} <{{ deputy_email }}> requests {{ request }} on behalf of \
{{ requester_name }} <{{ requester_email }}>.{% else %}{{ requester_name }} <{{ requester_email }}> \
requests {{ request }}.{% endif %}

{% if note %}{{ note }}

{% endif %}Justification:
{{ justification or \"(none given)\" }}

Approve: {{ approve_url }}

Decline: {{ decline_url }}

Each link opens a page where you confirm the decision. The links work once and expire on \
{{ link_expires }}.
";

const APPROVAL_HTML: &str = "\
<p>Hello {{ approver_name }},</p>
<p>{% if deputy_name %}{{ deputy_name }} &lt;{{ deputy_email }}&gt; requests {{ request }} on \
behalf of <strong>{{ requester_name }}</strong> &lt;{{ requester_email }}&gt;.{% else %}\
<strong>{{ requester_name }}</strong> &lt;{{ requester_email }}&gt; requests {{ request }}.\
{% endif %}</p>
{% if note %}<p>{{ note }}</p>
{% endif %}<p>Justification:</p>
<blockquote>{{ justification or \"(none given)\" }}</blockquote>
<p><a href=\"{{ approve_url }}\">Approve</a> &nbsp; <a href=\"{{ decline_url }}\">Decline</a></p>
<p>Each link opens a page where you confirm the decision. The links work once and expire on \
{{ link_expires }}.</p>
";

const ESCALATION_TEXT: &str = "\
Hello {{ contact_name }},

{{ original_approver }} has not decided on {{ asset }} for {{ requester_name }} since \
{{ waiting_since }}, after {{ reminders_sent }} reminder(s). You are the escalation contact: ask \
them to decide, or have an administrator decide in the admin app.

Order: {{ order_url }}
";

const ESCALATION_HTML: &str = "\
<p>Hello {{ contact_name }},</p>
<p>{{ original_approver }} has not decided on {{ asset }} for {{ requester_name }} since \
{{ waiting_since }}, after {{ reminders_sent }} reminder(s). You are the escalation contact: ask \
them to decide, or have an administrator decide in the admin app.</p>
<p><a href=\"{{ order_url }}\">Open the order</a></p>
";

/// Returns the built-in template of a kind.
pub fn template(kind: MailTemplateKind) -> MailTemplateInput {
    let (subject, text, html) = match kind {
        MailTemplateKind::ApprovalRequest => (
            "Approval needed: {{ asset }} for {{ requester_name }}",
            APPROVAL_TEXT,
            APPROVAL_HTML,
        ),
        MailTemplateKind::ApprovalReminder => (
            "Reminder {{ reminder_number }}: approval needed: {{ asset }} for {{ requester_name }}",
            APPROVAL_TEXT,
            APPROVAL_HTML,
        ),
        MailTemplateKind::EscalationNotice => (
            "Approval overdue: {{ asset }} for {{ requester_name }}",
            ESCALATION_TEXT,
            ESCALATION_HTML,
        ),
    };
    MailTemplateInput {
        subject: subject.into(),
        text: text.into(),
        html: html.into(),
    }
}
