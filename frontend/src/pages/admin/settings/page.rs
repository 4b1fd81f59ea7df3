use leptos::prelude::*;
use shared::permissions::Permission;

use super::approvals_section::ApprovalsSection;
use super::ldap_section::LdapSection;
use super::metrics_section::MetricsSection;
use super::oidc_section::OidcSection;
use super::security_section::SecuritySection;
use super::smtp_section::SmtpSection;
use super::webhook_section::WebhookSection;
use crate::api::admin::ChatService;
use crate::pages::admin::require_permission::RequirePermission;

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <h1>"Settings"</h1>
        <RequirePermission permission=Permission::SettingsRead>
            <LdapSection />
            <SmtpSection />
            <WebhookSection service=ChatService::Teams />
            <WebhookSection service=ChatService::Slack />
            <OidcSection />
            <SecuritySection />
            <ApprovalsSection />
            <MetricsSection />
        </RequirePermission>
    }
}
