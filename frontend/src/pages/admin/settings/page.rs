use leptos::prelude::*;
use shared::permissions::Permission;

use super::approvals_section::ApprovalsSection;
use super::ldap_section::LdapSection;
use super::oidc_section::OidcSection;
use super::security_section::SecuritySection;
use super::smtp_section::SmtpSection;
use crate::pages::admin::require_permission::RequirePermission;

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <h1>"Settings"</h1>
        <RequirePermission permission=Permission::SettingsRead>
            <LdapSection />
            <SmtpSection />
            <OidcSection />
            <SecuritySection />
            <ApprovalsSection />
        </RequirePermission>
    }
}
