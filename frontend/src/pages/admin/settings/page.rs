use leptos::prelude::*;
use shared::permissions::Permission;

use super::approvals_section::ApprovalsSection;
use super::general_section::GeneralSection;
use super::ldap_section::LdapSection;
use super::metrics_section::MetricsSection;
use super::oidc_section::OidcSection;
use super::security_section::SecuritySection;
use super::siem_section::SiemSection;
use super::smtp_section::SmtpSection;
use super::webhook_section::WebhookSection;
use crate::api::admin::ChatService;
use crate::pages::admin::require_permission::RequirePermission;

/// Renders every settings section. An address such as `/ui/settings#smtp-heading`, which the
/// setup checklist links to, scrolls to that section's heading.
#[component]
pub fn SettingsPage() -> impl IntoView {
    Effect::new(move |_| request_animation_frame(scroll_to_fragment));

    view! {
        <h1>"Settings"</h1>
        <RequirePermission permission=Permission::SettingsRead>
            <GeneralSection />
            <LdapSection />
            <SmtpSection />
            <WebhookSection service=ChatService::Teams />
            <WebhookSection service=ChatService::Slack />
            <OidcSection />
            <SecuritySection />
            <ApprovalsSection />
            <MetricsSection />
            <SiemSection />
        </RequirePermission>
    }
}

/// Scrolls the element that the address's fragment names into view, if there is one.
fn scroll_to_fragment() {
    let fragment = window().location().hash().unwrap_or_default();
    let Some(id) = fragment.strip_prefix('#').filter(|id| !id.is_empty()) else {
        return;
    };
    if let Some(element) = document().get_element_by_id(id) {
        element.scroll_into_view();
    }
}
