use leptos::ev;
use leptos::prelude::*;
use shared::permissions::Permission;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

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

/// How long the page keeps the section named in the address at the top while the sections
/// above it load and grow.
const SETTLE_TIME: Duration = Duration::from_secs(3);
/// How often it checks the section's position meanwhile.
const SETTLE_CHECK: Duration = Duration::from_millis(100);

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

/// Scrolls the element that the address's fragment names into view, if there is one. Each
/// section loads on its own, so the sections above the element grow after the first scroll and
/// push it down. For [`SETTLE_TIME`] the element is scrolled back to the top whenever it moved,
/// unless the user scrolls, types or touches the page first.
fn scroll_to_fragment() {
    let fragment = window().location().hash().unwrap_or_default();
    let Some(id) = fragment
        .strip_prefix('#')
        .filter(|id| !id.is_empty())
        .map(str::to_string)
    else {
        return;
    };
    let Some(element) = document().get_element_by_id(&id) else {
        return;
    };
    element.scroll_into_view();

    let user_moved = Rc::new(Cell::new(false));
    let listeners = Cell::new(Some(vec![
        window_event_listener(ev::wheel, note_user_move(&user_moved)),
        window_event_listener(ev::keydown, note_user_move(&user_moved)),
        window_event_listener(ev::touchstart, note_user_move(&user_moved)),
    ]));
    let interval = Rc::new(Cell::new(None::<IntervalHandle>));
    let checks_left = Cell::new(SETTLE_TIME.as_millis() / SETTLE_CHECK.as_millis());
    let stop = {
        let interval = interval.clone();
        move || {
            if let Some(handle) = interval.take() {
                handle.clear();
            }
            for listener in listeners.take().into_iter().flatten() {
                listener.remove();
            }
        }
    };
    let check = move || {
        checks_left.set(checks_left.get().saturating_sub(1));
        if user_moved.get() || checks_left.get() == 0 {
            stop();
            return;
        }
        if let Some(element) = document().get_element_by_id(&id)
            && element.get_bounding_client_rect().top().abs() > 1.0
        {
            element.scroll_into_view();
        }
    };
    interval.set(set_interval_with_handle(check, SETTLE_CHECK).ok());
}

/// Returns an event handler that records that the user moved the page.
fn note_user_move<E>(user_moved: &Rc<Cell<bool>>) -> impl Fn(E) + 'static {
    let user_moved = user_moved.clone();
    move |_| user_moved.set(true)
}
