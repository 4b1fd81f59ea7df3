//! `/ui/settings`: directory, e-mail and portal sign-in settings.

mod ldap_form;
mod ldap_section;
mod oidc_form;
mod oidc_section;
mod page;
mod smtp_form;
mod smtp_section;

pub use page::SettingsPage;
