use leptos::prelude::*;

#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <p class="loading" role="status">
            "Loading…"
        </p>
    }
}
