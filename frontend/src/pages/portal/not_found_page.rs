use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <h1>"Page not found"</h1>
        <p>"There is no portal page at this address."</p>
        <p>
            <A href="/portal/">"Go to the catalog"</A>
        </p>
    }
}
