use leptos::prelude::*;

use crate::state::AdminAuth;

/// Renders what the signed-in admin must fix before any page but My account opens. It goes
/// away as soon as the stored session has no restriction.
#[component]
pub fn RestrictionBanner() -> impl IntoView {
    let auth = expect_context::<AdminAuth>();

    move || {
        auth.restriction().map(|restriction| {
            view! {
                <p class="warning-banner" role="alert">
                    {restriction.message()}
                </p>
            }
        })
    }
}
