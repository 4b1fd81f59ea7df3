use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::license::LicenseStatus;
use shared::permissions::Permission;

use super::remove_section::RemoveSection;
use super::state_table::StateTable;
use super::status_context::LicenseStatusContext;
use super::status_table::StatusTable;
use super::upload_form::UploadForm;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Loading};
use crate::pages::admin::require_permission::RequirePermission;
use crate::state::AdminAuth;

/// The address of the License page.
pub const LICENSE_PATH: &str = "/ui/settings/license";

/// Renders `/ui/settings/license`: the status for admins and auditors, and for superadmins
/// the upload and the removal of the uploaded license.
#[component]
pub fn LicensePage() -> impl IntoView {
    view! {
        <h1>"License"</h1>
        <RequirePermission permission=Permission::LicenseRead>
            <LicenseContent />
        </RequirePermission>
    }
}

#[component]
fn LicenseContent() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let context = expect_context::<LicenseStatusContext>();
    let can_write = Memo::new(move |_| auth.allows(Permission::LicenseWrite));
    let error = RwSignal::new(None::<ApiError>);

    // The layout loaded the status already; the page loads it again so it is current.
    spawn_local(async move {
        match api.license().await {
            Ok(status) => {
                context.status.try_set(Some(status));
            }
            Err(failure) => {
                error.try_set(Some(failure));
            }
        }
    });
    let replace = Callback::new(move |status: LicenseStatus| context.status.set(Some(status)));
    let upload_present = move || {
        context
            .status
            .with(|status| status.as_ref().is_some_and(|s| s.upload_present))
    };

    view! {
        <ErrorBanner error />
        {move || match context.status.get() {
            Some(status) => view! { <StatusTable status /> }.into_any(),
            None if error.with(Option::is_none) => view! { <Loading /> }.into_any(),
            None => ().into_any(),
        }}
        <Show when=move || can_write.get()>
            <UploadForm on_uploaded=replace />
            <Show when=upload_present>
                <RemoveSection on_removed=replace />
            </Show>
        </Show>
        <StateTable />
    }
}
