use leptos::prelude::*;

/// Renders "Loading…" while a list loads, and `empty_text` once it has loaded with no items.
#[component]
pub fn ListState(
    #[prop(into)] loading: Signal<bool>,
    #[prop(into)] empty: Signal<bool>,
    empty_text: &'static str,
) -> impl IntoView {
    view! {
        <Show when=move || loading.get()>
            <super::Loading />
        </Show>
        <Show when=move || !loading.get() && empty.get()>
            <p class="muted">{empty_text}</p>
        </Show>
    }
}
