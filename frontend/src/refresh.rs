//! Pages that reload themselves while the server is still working on what they show.

use std::time::Duration;

use leptos::prelude::*;

/// Calls `refetch` once `interval` has passed whenever `active` turns or stays true. `active`
/// is tracked, so each reload that still finds work under way schedules the next one, and a
/// finished state or leaving the page ends the chain.
pub fn refetch_while(
    interval: Duration,
    active: impl Fn() -> bool + 'static,
    refetch: impl Fn() + Clone + 'static,
) {
    Effect::new(move |_| {
        if !active() {
            return;
        }
        let refetch = refetch.clone();
        let handle = set_timeout_with_handle(refetch, interval).ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    });
}
