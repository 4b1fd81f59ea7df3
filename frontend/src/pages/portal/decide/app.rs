use leptos::prelude::*;

use super::page::DecidePage;

/// Renders the root of the approval-link page, which needs no session and no router.
#[component]
pub fn DecideApp() -> impl IntoView {
    view! {
        <header class="top-bar">
            <span class="brand">"ip·Solis Self-service"</span>
        </header>
        <main class="portal-main">
            <DecidePage />
        </main>
    }
}
