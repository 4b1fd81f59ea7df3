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

/// Sends a settings request: shows `waiting` (when given) while `request` runs and turns the
/// buttons off, then shows the status `done` makes of the response, or passes a failed
/// request to `show_failure`.
fn run_request<T: 'static>(
    request: impl std::future::Future<Output = Result<T, crate::api::ApiError>> + 'static,
    waiting: Option<&'static str>,
    pending: leptos::prelude::RwSignal<bool>,
    status: leptos::prelude::RwSignal<Option<crate::components::Status>>,
    show_failure: impl Fn(crate::api::ApiError) + 'static,
    done: impl FnOnce(T) -> crate::components::Status + 'static,
) {
    use crate::components::Status;
    use leptos::prelude::Set;

    pending.set(true);
    if let Some(waiting) = waiting {
        status.set(Some(Status::neutral(waiting)));
    }
    leptos::task::spawn_local(async move {
        match request.await {
            Ok(response) => status.set(Some(done(response))),
            Err(failure) => {
                status.set(None);
                show_failure(failure);
            }
        }
        pending.set(false);
    });
}

/// Runs a connection test: shows `waiting` while `request` runs, then the outcome the server
/// reports, or passes a failed request to `show_failure`.
fn run_connection_test(
    request: impl std::future::Future<
        Output = Result<shared::settings::ConnectionTest, crate::api::ApiError>,
    > + 'static,
    waiting: &'static str,
    pending: leptos::prelude::RwSignal<bool>,
    status: leptos::prelude::RwSignal<Option<crate::components::Status>>,
    show_failure: impl Fn(crate::api::ApiError) + 'static,
) {
    run_request(
        request,
        Some(waiting),
        pending,
        status,
        show_failure,
        |result| crate::components::Status::from_test(result.ok, result.message),
    );
}

/// The placeholder of a secret field while a secret is stored: the API never returns it.
const STORED_SECRET_PLACEHOLDER: &str = "stored — leave blank to keep";
pub use page::SettingsPage;
