use leptos::prelude::*;

/// Renders a "Load more" button while the server reports a further page.
#[component]
pub fn LoadMoreButton(
    #[prop(into)] has_more: Signal<bool>,
    #[prop(into)] loading: Signal<bool>,
    on_click: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || has_more.get()>
            <div class="load-more">
                <button
                    type="button"
                    class="button secondary"
                    disabled=move || loading.get()
                    on:click=move |_| on_click.run(())
                >
                    "Load more"
                </button>
            </div>
        </Show>
    }
}
