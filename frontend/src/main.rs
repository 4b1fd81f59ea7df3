//! The ip·Solis single-page app. One bundle serves three entry points, chosen by the path the
//! browser loaded: the admin SPA under `/ui/`, the self-service portal under `/portal/`, and
//! the approval-link page at `/portal/decide`.

mod api;
mod components;
mod format;
mod forms;
mod labels;
mod pages;
mod paging;
mod refresh;
mod state;

use leptos::mount::mount_to_body;

fn main() {
    console_error_panic_hook::set_once();

    let path = web_sys::window()
        .and_then(|window| window.location().pathname().ok())
        .unwrap_or_default();

    let in_portal = path == "/portal" || path.starts_with("/portal/");
    if path.starts_with("/portal/decide") {
        mount_to_body(pages::portal::DecideApp);
    } else if in_portal {
        mount_to_body(pages::portal::PortalApp);
    } else {
        mount_to_body(pages::admin::AdminApp);
    }
}
