use leptos::prelude::*;

use super::page::DecidePage;
use crate::components::{BrandMark, BrandPlace};
use crate::state::BrandingState;

/// Renders the root of the approval-link page, which needs no session and no router.
#[component]
pub fn DecideApp() -> impl IntoView {
    BrandingState::provide();
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
            <div class="brand">
                <BrandMark place=BrandPlace::Header />
                <span class="brand-suffix">"Self-service"</span>
            </div>
        </header>
        <main class="portal-main">
            <DecidePage />
        </main>
    }
}
