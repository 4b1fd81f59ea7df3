use leptos::prelude::*;
use shared::permissions::Permission;

use crate::state::AdminAuth;

/// Shows its children only when the signed-in admin has `permission`. The API checks the
/// same permission, so this only spares the admin a page of errors.
#[component]
pub fn RequirePermission(permission: Permission, children: ChildrenFn) -> impl IntoView {
    let auth = expect_context::<AdminAuth>();

    view! {
        <Show
            when=move || auth.allows(permission)
            fallback=|| {
                view! {
                    <p class="error-banner" role="alert">
                        "Your role does not allow you to see this page."
                    </p>
                }
            }
        >
            {children()}
        </Show>
    }
}
