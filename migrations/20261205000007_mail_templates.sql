-- Texts of the approval e-mails that an admin changed; a kind without a row uses the
-- built-in default. The limits match shared::mail_templates.
create table mail_templates (
    kind text primary key
        check (kind in ('approval_request', 'approval_reminder', 'escalation_notice')),
    subject text not null check (char_length(subject) between 1 and 500),
    text_body text not null check (char_length(text_body) between 1 and 50000),
    html_body text not null check (char_length(html_body) between 1 and 50000),
    updated_at timestamptz not null,
    updated_by text not null
);
