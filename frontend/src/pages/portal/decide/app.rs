use leptos::prelude::*;

use super::page::DecidePage;

/// Renders the root of the approval-link page, which needs no session and no router.
#[component]
pub fn DecideApp() -> impl IntoView {
    // The page reads the token from the fragment once. Opening another link of the same mail
    // in this tab changes only the fragment, which loads nothing, so without the reload the
    // page would keep showing, and confirming, the first link's decision.
    let _listener = window_event_listener(leptos::ev::hashchange, |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    });

    view! {
        <header class="top-bar">
            <span class="brand">"ip·Solis Self-service"</span>
        </header>
        <main class="portal-main">
            <DecidePage />
        </main>
    }
}
