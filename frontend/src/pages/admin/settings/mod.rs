//! `/ui/settings`: general (title and logo), directory, e-mail, Teams, Slack, portal sign-in,
//! security, approval, metrics and SIEM settings, and the mail templates page under
//! `/ui/settings/mail-templates`.

mod approvals_form;
mod approvals_section;
mod general_form;
mod general_section;
mod ldap_form;
mod ldap_section;
mod logo_field;
mod mail_templates;
mod metrics_form;
mod metrics_section;
mod oidc_form;
mod oidc_section;
mod page;
mod role_pair_list;
mod security_form;
mod security_section;
mod siem_form;
mod siem_section;
mod smtp_form;
mod smtp_section;
mod webhook_form;
mod webhook_section;

pub use mail_templates::MailTemplatesPage;

/// The placeholder of a secret field while a secret is stored: the API never returns it.
const STORED_SECRET_PLACEHOLDER: &str = "stored — leave blank to keep";
pub use page::SettingsPage;
